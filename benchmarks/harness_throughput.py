#!/usr/bin/env python
"""Harness throughput, measured side by side in one run:

1. an OpenAI-compatible endpoint that takes `--latency` s per request and serves many at once (a fake server on
   127.0.0.1): items/s with 1, 8 and 32 requests in flight (`--concurrency`), against the ideal K / latency
   (goal: >= 0.8 of ideal at K = 32), with the endpoint in its own process as a real server is, and then beside the
   client threads in this interpreter, where the fake server's request handling takes the harness's processor too
   (`--endpoint process|thread|both`);
2. the tiny random Qwen2-VL: items/s at batch 1 and batch 8 (`--batch-size`; goal >= 3x), with a check that the
   answers are the same;
3. the harness's own overhead per item (a model that answers at once, with frames sampled and a line written);
4. the import time of `worldbridge.eval` (nothing heavy may be imported to start a run);
5. `world make` scenes/s at 64 and 224 px, for 1 and 2 workers (if this version's `make_dataset` takes `workers`).

    python benchmarks/harness_throughput.py [--items 64] [--latency 0.2] [--world-scenes 4] [--data DIR] [--only 1,3]
                                            [--endpoint both] [--warm] [--repeat 3]

Each K is measured `--repeat` times (the median is shown, with the range: on a shared machine one measurement is noise),
each from cold in-memory frame caches (as a fresh process starts) unless `--warm`.

All on the world benchmark (generated here into a temporary directory)."""
import argparse, inspect, json, os, subprocess, sys, tempfile, time
from pathlib import Path

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--items", type=int, default=64, help="items per endpoint measurement (64 = two waves of 32)")
p.add_argument("--latency", type=float, default=0.2, help="seconds the fake endpoint takes per request")
p.add_argument("--hf-items", type=int, default=32)
p.add_argument("--world-scenes", type=int, default=4, help="scenes generated per world-speed measurement")
p.add_argument("--data", default=None, help="an existing world benchmark directory (default: generate one here)")
p.add_argument("--warm", action="store_true", help="keep the in-memory frame caches between measurements (default: each K starts cold)")
p.add_argument("--repeat", type=int, default=3,
               help="measurements per K (each from cold caches); the median is reported, with the range")
p.add_argument("--only", default=None, help="run only these sections, e.g. 1 or 1,3")
p.add_argument("--endpoint", choices=("process", "thread", "both"), default="both",
               help="where the fake endpoint runs: its own process (as a real server is), threads in this interpreter "
               "beside the client threads, or both, one after the other")
a = p.parse_args()
only = {int(x) for x in a.only.split(",")} if a.only else {1, 2, 3, 4, 5}

from worldbridge.eval import run_eval, load_bench, FakeOpenAIServer, Adapter
from worldbridge.world import make_dataset

tmp = Path(tempfile.mkdtemp(prefix="wb_throughput_"))
data, n = (Path(a.data), "given") if a.data else (tmp / "world", 4)
while not a.data:   # enough scenes for --items questions
    make_dataset(data, n=n, seed=0, progress=False)
    if len(load_bench("world", data)[0]) >= max(a.items, a.hf_items) or n > 64: break
    n *= 2
print(f"world benchmark: {n} scenes, {len(load_bench('world', data)[0])} items; the first {a.items} are evaluated\n")

def cold():
    "Empty the in-memory caches of sampled frames, video digests and JPEG data URLs (a run in a fresh process starts so)."
    if a.warm: return
    from worldbridge.eval import frames, models
    for c in (frames._MEM, getattr(frames, "_DIGESTS", {}), models._URLS): c.clear()

def timed(fn):
    t0 = time.perf_counter(); out = fn(); return time.perf_counter() - t0, out

# 1. concurrency against a slow endpoint
def answer(req): time.sleep(a.latency); return "The answer is (A)."
if 1 in only: print(f"1. endpoint with {a.latency * 1000:.0f} ms per request ({'warm' if a.warm else 'cold'} frame caches)")

class ServerProcess:
    "The same fake endpoint in a child process: `.url` while open."
    def __enter__(self):
        code = ("import sys, time\nfrom worldbridge.eval import FakeOpenAIServer\n"
                f"def answer(req): time.sleep({a.latency!r}); return 'The answer is (A).'\n"
                "with FakeOpenAIServer(answer) as s: print(s.url, flush=True); sys.stdin.read()")
        self.p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.p.stdout.readline().strip(); return self
    def __exit__(self, *exc): self.p.stdin.close(); self.p.wait(timeout=30)

WHERE = {"process": "the endpoint in its own process, as a real server is",
         "thread": "the endpoint in this interpreter: its request handling takes the harness's processor too"}
for where in (("process", "thread") if a.endpoint == "both" else (a.endpoint,)) if 1 in only else ():
  print(f"   {WHERE[where]}")
  with (ServerProcess() if where == "process" else FakeOpenAIServer(answer)) as srv:
    base = None
    for k in (1, 8, 32):
        rates = []
        for r in range(a.repeat):
            out = tmp / f"runs/{where}_k{k}_{r}"; cold()
            t, _ = timed(lambda: run_eval("world", data, f"openai:{srv.url}#fake", out, limit=a.items, concurrency=k,
                                          finalize=False, progress=False))
            rates.append(a.items / t)
        ips, ideal = sorted(rates)[len(rates) // 2], k / a.latency
        base = base or ips
        spread = f" (range {min(rates) / ideal:.2f}-{max(rates) / ideal:.2f} over {a.repeat})" if a.repeat > 1 else ""
        print(f"   K={k:>2}: {ips:6.1f} items/s = {ips / base:5.1f}x sequential; ideal K/latency {ideal:6.1f} items/s "
              f"-> {ips / ideal:.2f} of ideal{spread}")

# 2. batched generation on the tiny model
if 2 in only: print("\n2. tiny Qwen2-VL (random weights, CPU)")
res = {}
for b in ((1, 8) if 2 in only else ()):
    out = tmp / f"runs/b{b}"
    t, _ = timed(lambda: run_eval("world", data, "tiny:qwen2_vl", out, limit=a.hf_items, batch_size=b, finalize=False, progress=False))
    res[b] = (a.hf_items / t, sorted((r["id"], r["response"]) for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())))
same = res and sum(x == y for x, y in zip(res[1][1], res[8][1]))
if res: print(f"   batch 1: {res[1][0]:.1f} items/s, batch 8: {res[8][0]:.1f} items/s -> {res[8][0] / res[1][0]:.1f}x; same answers: {same} of {a.hf_items}")

# 3. the harness's own overhead
class Instant(Adapter):
    needs_frames, name = True, "instant"
    def generate(self, item, frames, prompt): return "A"
out = tmp / "runs/instant"
if 3 in only:
    t, _ = timed(lambda: run_eval("world", data, Instant(), out, limit=a.items, finalize=False, progress=False))
    print(f"\n3. harness overhead: {1000 * t / a.items:.2f} ms per item (load, frames from the per-video cache, prompt, extraction, one fsync'd line)")

# 4. start-up
if 4 in only:
  t = min(float(subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter(); import worldbridge.eval, sys; "
                                "print(time.perf_counter()-t, 'torch' in sys.modules)"], capture_output=True, text=True).stdout.split()[0]) for _ in range(3))
  torch_loaded = subprocess.run([sys.executable, "-c", "import worldbridge.eval, sys; print('torch' in sys.modules)"], capture_output=True, text=True).stdout.strip()
  print(f"\n4. import worldbridge.eval: {t * 1000:.0f} ms (torch imported: {torch_loaded})")

# 5. the world generator
if 5 in only: print("\n5. world make")
takes_workers = "workers" in inspect.signature(make_dataset).parameters
for size in ((64, 224) if 5 in only else ()):
    for w in ((1, 2) if takes_workers else (1,)):
        kw = dict(workers=w) if takes_workers else {}
        d = tmp / f"world_{size}_{w}"
        t, _ = timed(lambda: make_dataset(d, n=a.world_scenes, seed=1, progress=False, image_size=size, **kw))
        print(f"   {size:>3} px, {w} worker{'s' if w > 1 else ''}: {a.world_scenes / t:5.2f} scenes/s")
if 5 in only and not takes_workers: print("   (this version's make_dataset has no workers argument)")
