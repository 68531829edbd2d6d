#!/usr/bin/env python
"""SmolLM2-135M-Instruct (real weights, `smollm2`) through `run_eval`, text-only, beside the random and blind baselines:
all 1,816 VLM4D questions (`shared/benchmarks/vlm4d`, no videos needed) and a small procedural world bench.

    OMP_NUM_THREADS=1 python benchmarks/smollm2_text_only.py [--out runs/smollm2_text_only] [--world-n 40]

Every run is an ordinary, resumable run directory under `--out` (rerun to continue or to print the table again). SmolLM2
answers in two ways: `smollm2:loglikelihood` (the option letter the model finds most likely as its reply to VLM4D's
direct-output prompt) and `smollm2` (greedy generation of at most 16 tokens, read by the rules). Printed: accuracy with
95% bootstrap intervals per split, and the answer-letter distribution of each model beside the answer key's, which
is where a text-only model's score comes from."""
import argparse, collections, json, sys
from pathlib import Path
from worldbridge.eval.run import run_eval
from worldbridge.eval.metrics import summary_table
from worldbridge.eval.benchmarks import load_bench

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--root", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "vlm4d"))
p.add_argument("--out", default="runs/smollm2_text_only")
p.add_argument("--world-n", type=int, default=40, help="scenes of the world bench (make_dataset, seed 0)")
p.add_argument("--batch-size", type=int, default=8)
p.add_argument("--benches", default="vlm4d,world")
p.add_argument("--models", default="random,blind,smollm2:loglikelihood,smollm2")
a = p.parse_args()
out = Path(a.out)
GEN = {"smollm2": "max_new_tokens=16"}          # a letter is asked for; 16 tokens bound a model that rambles
for bench in a.benches.split(","):
    if bench == "world":
        from worldbridge.world import make_dataset
        data = out / "world_data"; make_dataset(data, n=a.world_n, seed=0, progress=False); prompt = "neutral"
    else: data, prompt = Path(a.root), "vlm4d_direct"
    runs = {}
    for spec in a.models.split(","):
        print(f"{bench}: {spec}", file=sys.stderr, flush=True)
        runs[spec] = run_eval(bench, data, spec, out / f"{bench}_{spec.replace(':', '_')}", prompt=prompt,
                              text_only=True, gen_kwargs=GEN.get(spec), batch_size=a.batch_size, progress=False)
    key = collections.Counter(it.answer for it in load_bench(bench, data)[0])
    n = sum(key.values())
    print(f"\n{bench}: {n} questions, text-only (prompt {prompt}); rule-based extraction, 95% bootstrap CIs\n")
    print(summary_table(runs))
    print(f"\nanswer letters, % (the key: {', '.join(f'{k} {100 * v / n:.1f}' for k, v in sorted(key.items()))})")
    for spec in runs:
        recs = {r["id"]: r for f in sorted((out / f"{bench}_{spec.replace(':', '_')}").glob("results*.jsonl"))
                for r in map(json.loads, f.read_text().splitlines())}   # the last record of an item is its answer
        preds = collections.Counter(r["pred"] for r in recs.values())
        shares = sorted(preds.items(), key=lambda kv: str(kv[0]))
        print(f"  {spec:<24}" + ", ".join(f"{k or 'none'} {100 * v / sum(preds.values()):.1f}" for k, v in shares))
