#!/usr/bin/env python
"""VLM4D's Table 1 recomputed from the 12 models' released outputs, beside the table the authors' hand-checked verdicts give.

    python benchmarks/vlm4d_table1.py [--root ../shared/benchmarks/vlm4d]

Each cell is *official / worldbridge* accuracy in %: the authors' `correct` verdicts, and worldbridge's
deterministic re-scoring of the same responses (`extract_choice` against the annotation files). A `!` marks a cell
off by more than 0.5 points (columns of 400 or more questions) or by more than one question (the 45-question
false-positive column). Also printed: the agreement of the rules with the verdicts, per prompt, overall and per model,
and how many answers the rules call uncertain (those `--judge-mode fallback` sends to a judge). For the rules checked
on models they were not written from, see `benchmarks/vlm4d_lomo.py`."""
import argparse, sys
from pathlib import Path
from worldbridge.eval.run import verdict_table, format_verdict_table, table_within
from worldbridge.eval.extraction import extraction_agreement

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--root", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "vlm4d"),
               help="the official VLM4D files with paper_outputs/ (default: shared/benchmarks/vlm4d beside the project)")
a = p.parse_args()
root = Path(a.root)
if not (root / "paper_outputs").exists(): sys.exit(f"{root}: no paper_outputs/ (the released model outputs) here")
rows = verdict_table(root)
print(format_verdict_table(rows))
bad = [(r["model"], r["kind"], c) for r in rows for c, ok in table_within(r).items() if not ok]
A = extraction_agreement(root)
print(f"\n{A['n']} answers; agreement with the authors' verdicts: " + ", ".join(f"{k} {100 * v:.2f}%" for k, v in A["agreement"].items()))
print(f"answers the rules call uncertain: {A['uncertain']} ({100 * A['uncertain'] / A['n']:.2f}%); judging only those "
      f"(--judge-mode fallback) saves {A['n'] - A['uncertain']} of {A['n']} judge calls and agrees with the verdicts on {100 * A['fallback']:.2f}%")
print("agreement per model: " + ", ".join(f"{m} {100 * v:.2f}%" for m, v in A["by_model"].items()))
print(f"cells outside the tolerance: {len(bad)}" + (f" {bad}" if bad else ""))
sys.exit(1 if bad else 0)
