#!/usr/bin/env python
"""A local judge (`--judge smollm2`, or `--judge hf:PATH`) measured against the VLM4D authors' hand-checked verdicts.

    OMP_NUM_THREADS=1 python benchmarks/local_judge.py [--judge smollm2] [--n 60] [--protocols letter,vlm4d]

Draws `--n` released responses per prompt kind (chain-of-thought, direct output) at random (seeded) from the 12
models' outputs in `shared/benchmarks/vlm4d/paper_outputs`, asks the judge for its verdict in each protocol, and
prints how often the verdict (`judge_correct`) equals the authors' (`correct`), with a 95% Wilson interval; a reply
that cannot be read as a verdict (`JudgeError`) counts as a disagreement and is counted. Beside it, on the same
sample: the deterministic rules (`extract_choice`), and the base rate of always answering "wrong"."""
import argparse, json, math, random, sys, time, collections
from pathlib import Path
from worldbridge.eval.benchmarks import load_bench
from worldbridge.eval.extraction import extract_choice, judge_response, JudgeError

def wilson(k: int, n: int, z: float = 1.96) -> tuple:
    "95% Wilson score interval of k successes in n."
    if n == 0: return (0.0, 1.0)
    p = k / n; d = 1 + z * z / n; c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--root", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "vlm4d"))
p.add_argument("--judge", default="smollm2", help="smollm2, hf:PATH or hf:FILE.gguf (or an endpoint BASE_URL#MODEL)")
p.add_argument("--n", type=int, default=60, help="responses per prompt kind")
p.add_argument("--protocols", default="letter,vlm4d")
p.add_argument("--max-tokens", type=int, default=64, help="the judge's new tokens at most")
p.add_argument("--seed", type=int, default=0)
p.add_argument("--out", default=None, help="write the per-response verdicts here (JSON lines)")
a = p.parse_args()
root = Path(a.root)
if not (root / "paper_outputs").exists(): sys.exit(f"{root}: no paper_outputs/ (the released model outputs) here")
items = {it.id: it for it in load_bench("vlm4d", root)[0]}
pool = collections.defaultdict(list)
for f in sorted(root.glob("paper_outputs/*_mc_*/*.json")):
    split, kind = f.parent.name.split("_mc_")
    pool[kind] += [(f.stem, split, r) for r in json.loads(f.read_text())]
rng = random.Random(a.seed)
sample = [(kind, *x) for kind in sorted(pool) for x in rng.sample(pool[kind], a.n)]
rows, t0 = [], time.time()
for i, (kind, model, split, r) in enumerate(sample):
    it = items[f"vlm4d/{split}/{r['id']}"]
    rules = it.is_correct(extract_choice(r["response"], it.options)[0])
    row = dict(kind=kind, model=model, id=it.id, official=bool(r["correct"]), rules=rules)
    for proto in a.protocols.split(","):
        try:
            v = judge_response(r["response"], it, a.judge, proto, max_tokens=a.max_tokens)
            row[proto], row[proto + "_raw"] = v["judge_correct"], v["judge_raw"]
        except JudgeError as e: row[proto], row[proto + "_raw"] = None, str(e)
    rows.append(row)
    if (i + 1) % 20 == 0: print(f"{i + 1}/{len(sample)} judged ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
if a.out: Path(a.out).write_text("".join(json.dumps(r) + "\n" for r in rows))
print(f"judge {a.judge}: {len(rows)} released VLM4D responses ({a.n} per prompt kind, seed {a.seed}), "
      f"{time.time() - t0:.0f} s\n")
print(f"{'verdicts from':<26}{'kind':<15}{'agree with authors':>20}{'95% CI':>16}{'unreadable':>12}")
for who in ["rules"] + a.protocols.split(",") + ["always wrong"]:
    for kind in sorted(pool) + ["all"]:
        rs = [r for r in rows if kind in ("all", r["kind"])]
        got = [(False if who == "always wrong" else r[who]) for r in rs]
        k = sum(g is not None and g == r["official"] for g, r in zip(got, rs)); lo, hi = wilson(k, len(rs))
        name = who if who in ("rules", "always wrong") else f"judge, {who} protocol"
        ci = f"[{100 * lo:.1f}, {100 * hi:.1f}]"
        print(f"{name:<26}{kind:<15}{100 * k / len(rs):>19.1f}%{ci:>16}{sum(g is None for g in got):>12}")
