#!/usr/bin/env python
"""Leave-one-model-out (and leave-one-family-out) check of the answer-extraction rules on VLM4D's released outputs.

    python benchmarks/vlm4d_lomo.py [--root ../shared/benchmarks/vlm4d] [--by model|family|both] [--strict]
                                    [--rules conflict,hedge,...]

The rules are code, not fitted weights; what can be fitted to the answers they were written from is *which rules to
keep*. So every fold decides that from the other models only: a rule is dropped when, on the training models, it costs
more answers (agreement with the authors' verdicts) than it gains, or costs one model while helping at most one
(`--strict`: also when it helps fewer than two); and the rules' two numbers (`LABEL_WORDS`, `TRUNCATED_WORDS`) take
the value that agrees best on the training models. The held-out model is then scored with what its fold chose, and
the script prints, per fold: the rules dropped, the held-out agreement (all / chain-of-thought / direct output), the
share of answers the rules call uncertain, the agreement on the rest (sure), the agreement with the uncertain ones
judged by the authors' verdicts (fallback: what `--judge-mode fallback` gives with a judge as good as theirs), the
disagreements whose verdict is itself inconsistent (`noise`: the authors' extracted answer pairs a letter with another
option's text, and such verdicts follow the letter as often as the text), and each held-out Table 1 row's cells off
by more than the tolerance (official / worldbridge). It ends with each rule's effect per model (answers that agree
because of it), and exits 1 when a fold's rules-only agreement is under 99.6% or a held-out row is outside the
tolerance.

The two agreements, exactly: *rules only* counts every answer as the rules read it, an uncertain one included (no
letter: scored wrong; `last_named`: its guess), and compares that verdict with the authors'; *with fallback* replaces
the verdict of each uncertain answer by the authors' own (so it counts as agreeing), which is what a run with
`--judge-mode fallback` scores when its judge agrees with the authors'. The 99.6% target is checked on rules only.

Families group models by the first word of their name (InternVL2_5-8B and InternVL2_5-38B); the grouping only decides
which models are held out together, no rule sees a model's name."""
import argparse, collections, json, re, sys
from pathlib import Path
from worldbridge.eval.benchmarks import load_bench, VLM4D_TABLE
import worldbridge.eval.extraction as X
from worldbridge.eval.extraction import extract_choice, RULE_CONFIDENCE
from worldbridge.eval.metrics import table_values
from worldbridge.eval.run import score_records, table_within

RULES = ("conflict", "hedge", "listing", "explanation", "conditional", "first_line", "leading_letter", "label_line",
         "pick", "stated_text", "undecided", "truncated", "option_text", "denial", "lone_letter")   # what a fold may drop
THRESHOLDS = dict(LABEL_WORDS=(2, 3, 4, 6), TRUNCATED_WORDS=(20, 40, 80, 10**9))   # the numbers a fold may choose
DEFAULTS = {k: getattr(X, k) for k in THRESHOLDS}
TARGET = 0.996

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--root", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "vlm4d"),
               help="the official VLM4D files with paper_outputs/ (default: shared/benchmarks/vlm4d beside the project)")
p.add_argument("--by", choices=("model", "family", "both"), default="both",
               help="hold out one model, or one family of models (those that share one), per fold; default both")
p.add_argument("--strict", action="store_true",
               help="also drop, per fold, every rule that helps fewer than two training models")
p.add_argument("--rules", default=",".join(RULES), help="comma-separated rules a fold may drop (default: all of them)")
a = p.parse_args()
root = Path(a.root)
if not (root / "paper_outputs").exists(): sys.exit(f"{root}: no paper_outputs/ (the released model outputs) here")
cands = [r for r in a.rules.split(",") if r]

items = {it.id: it for it in load_bench("vlm4d", root)[0]}
recs = []
for f in sorted(root.glob("paper_outputs/*_mc_*/*.json")):
    split, kind = f.parent.name.split("_mc_")
    recs += [dict(r, kind=kind) for r in score_records(items, f, split, f.stem, kind)[0]]
models = sorted({r["model"] for r in recs})
family = lambda m: re.split(r"[-_]", m)[0]
def noisy(r) -> bool:
    "Is the authors' verdict on `r` inconsistent: its extracted answer pairs a letter with another option's text?"
    m = re.match(r"\s*([A-J])\s*:\s*(.*)$", str(r.get("official_extracted")), re.S)
    w = lambda t: " ".join(re.findall(r"[a-z0-9]+", str(t).lower()))
    return bool(m) and m.group(1) in r["options"] and w(r["options"][m.group(1)]) != w(m.group(2))

_cache = {}
def verdicts(skip: frozenset, thr: tuple = ()) -> list:
    "Per record `(correct, confidence)` with the rules in `skip` left out and the numbers `thr` (`((name, value),)`) set."
    thr = tuple(sorted((k, v) for k, v in thr if v != DEFAULTS[k]))
    key = (skip, thr)
    if key not in _cache:
        for k, v in {**DEFAULTS, **dict(thr)}.items(): setattr(X, k, v)
        out = []
        for r in recs:
            c = extract_choice(r["response"], r["options"], skip)
            out.append((items[r["id"]].is_correct(c.letter), c.confidence))
        _cache[key] = out
        for k, v in DEFAULTS.items(): setattr(X, k, v)
    return _cache[key]

full = verdicts(frozenset())
agree = lambda v, idx: sum(v[i][0] == recs[i]["official_correct"] for i in idx)
by_model = {m: [i for i, r in enumerate(recs) if r["model"] == m] for m in models}
print(f"{len(recs)} answers of {len(models)} models; rules a fold may drop: "
      f"{', '.join(cands)}; numbers it may choose: {', '.join(f'{k} {v}' for k, v in THRESHOLDS.items())}", flush=True)
effect = {}   # rule -> model -> answers that agree with the verdicts because of the rule (negative: it costs them)
for rule in cands:
    v = verdicts(frozenset([rule]))
    effect[rule] = {m: agree(full, idx) - agree(v, idx) for m, idx in by_model.items()}

def dropped(train: list) -> frozenset:
    "The rules the training models do not support: costing more than they gain, or costing one, helping at most one."
    drop = set()
    for rule in cands:
        d = [effect[rule][m] for m in train]
        helps, costs = sum(x > 0 for x in d), sum(x < 0 for x in d)
        if sum(d) < 0 or (costs and helps < 2) or (a.strict and helps < 2): drop.add(rule)
    return frozenset(drop)

def chosen(train: list) -> tuple:
    "Each number at the value that agrees best on the training models (the default on a tie), the others at default."
    idx = [i for m in train for i in by_model[m]]
    out = []
    for k, vals in THRESHOLDS.items():
        score = {v: agree(verdicts(frozenset(), ((k, v),)), idx) for v in vals}
        best = max(score.values())
        out.append((k, DEFAULTS[k] if score[DEFAULTS[k]] == best else max(v for v in vals if score[v] == best)))
    return tuple(out)

def row_cells(idx, v, kind):
    "The Table 1 row of the answers `idx` of one prompt kind: `{column: (official, worldbridge, within)}`."
    rr = [dict(recs[i], correct=v[i][0]) for i in idx if recs[i]["kind"] == kind]
    if not rr: return {}
    row = dict(official=table_values(VLM4D_TABLE, rr, "official_correct"), worldbridge=table_values(VLM4D_TABLE, rr))
    return {c: (row["official"][c][0], row["worldbridge"][c][0], ok) for c, ok in table_within(row).items()}

def pct(x, n): return f"{100 * x / n:6.2f}%" if n else "     –"

fails = []
def run_folds(by: str):
    "Print the per-fold table of folds holding out one model (`by='model'`) or one family of several models ('family')."
    group = (lambda m: m) if by == "model" else family
    folds = sorted({group(m) for m in models})
    if by == "family":   # a family of one model is a model fold
        folds = [f for f in folds if sum(group(m) == f for m in models) > 1]
    if not folds: return
    total = collections.Counter()
    print(f"\nleave-one-{by}-out: {len(folds)} folds")
    print(f"{'':<40}{'rules only':^24}{'':>18}{'with fallback':^18}".rstrip())
    print(f"{'held out':<40}{'all':>8}{'cot':>8}{'direct':>8}{'uncertain':>10}{'sure':>8}{'all':>9}{'cot':>9}"
          f"{'noise':>7}"
          "  rules dropped / Table 1 off")
    for fold in folds:
        held = [m for m in models if group(m) == fold]
        train = [m for m in models if group(m) != fold]
        skip, thr = dropped(train), chosen(train)
        v = verdicts(skip, thr)
        idx = [i for m in held for i in by_model[m]]
        line = f"{fold[:39]:<40}"
        for kind in (None, "cot", "direct-output"):
            k = [i for i in idx if kind in (None, recs[i]["kind"])]
            ag = agree(v, k); line += pct(ag, len(k)) if k else "       –"
            total[(kind, True)] += ag; total[(kind, False)] += len(k)
            if k and ag / len(k) < TARGET: fails.append((fold, kind or "all", round(100 * ag / len(k), 2)))
        unc = [i for i in idx if v[i][1] == "uncertain"]
        sure = [i for i in idx if v[i][1] != "uncertain"]
        line += f"{pct(len(unc), len(idx)):>10}{pct(agree(v, sure), len(sure)):>8}"
        for kind in (None, "cot"):   # the uncertain ones take the authors' verdicts, as a judge would give them
            k = [i for i in idx if kind in (None, recs[i]["kind"])]
            fb = agree(v, [i for i in k if v[i][1] != "uncertain"]) + sum(v[i][1] == "uncertain" for i in k)
            line += f"{pct(fb, len(k)):>9}" if k else f"{'–':>9}"
            total[("fallback", kind, True)] += fb; total[("fallback", kind, False)] += len(k)
        line += f"{sum(v[i][0] != recs[i]['official_correct'] and noisy(recs[i]) for i in idx):>7}"
        line += f"  dropped: {', '.join(sorted(skip)) or 'none'}"
        line += "".join(f"; {k}={v}" for k, v in thr if v != DEFAULTS[k])
        print(line)
        for m in held:
            for kind in ("cot", "direct-output"):
                cells = row_cells(by_model[m], v, kind)
                off = {c: x for c, x in cells.items() if not x[2]}
                if off:
                    fails.append((m, kind, "Table 1"))
                    print(f"    {m} {kind}: " + "; ".join(f"{c} {o:.1f}/{w:.1f}" for c, (o, w, _) in off.items()))
    print(f"{'pooled over folds':<40}"
          + "".join(pct(total[(k, True)], total[(k, False)]) for k in (None, "cot", "direct-output")) + " " * 18
          + "".join(f"{pct(total[('fallback', k, True)], total[('fallback', k, False)]):>9}" for k in (None, "cot")))

for by in (("model", "family") if a.by == "both" else (a.by,)): run_folds(by)

print("\nEach rule's effect per model: answers that agree with the verdicts because of it (negative: answers it costs).")
short = {m: m[:10] for m in models}
print(f"{'rule':<16}{'class':<10}" + "".join(f"{short[m]:>11}" for m in models) + f"{'total':>7}")
for rule in cands:
    cells = "".join(f"{effect[rule][m]:>11}" for m in models)
    print(f"{rule:<16}{RULE_CONFIDENCE.get(rule, '-'):<10}{cells}{sum(effect[rule].values()):>7}")
print(f"\nfolds or held-out rows off target ({TARGET:.1%} rules-only agreement, Table 1 tolerance): {len(fails)}"
      + (f" {fails}" if fails else ""))
sys.exit(1 if fails else 0)
