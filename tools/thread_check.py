#!/usr/bin/env python
"""Saved numbers must not depend on the thread count (issue 28, item 5). Runs a notebook's test path (the cells
`nbdev_test` runs: no `#| slow/gpu/hub`, no `#| eval: false`) in a fresh kernel whose session is set to N torch threads
first, for N in --threads (default 1 and 2), and compares every cell's printed and displayed text between the runs and
with the saved outputs, timings masked. Also checks that the session still has its N threads at the end (an
experiment may fix its own thread count, but must give the caller's back). Nothing is written to the notebooks.

    python tools/thread_check.py nbs/11_kadaptation.ipynb nbs/50_scene4d.ipynb
"""
import argparse, os, re, sys, time
from pathlib import Path

SKIP = re.compile(r"^#\|\s*(slow|gpu|hub|eval:\s*false)\s*$", re.M | re.I)
TIME = re.compile(r"\d+(\.\d+)?\s?(s|ms|min)\b(/\w+)?|\[\d+ s\]")   # wall times, the one thing allowed to differ


def _text(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") == "stdout": out.append(o.get("text", ""))
        elif o.get("output_type") in ("display_data", "execute_result"):
            d = o.get("data", {}); out.append(d.get("text/markdown") or d.get("text/plain") or "")
    text = "".join("".join(t) if isinstance(t, list) else t for t in out)
    text = re.sub(r"<Figure size [^>]*>|<IPython[^>]*>|0x[0-9a-f]+", "", text)
    text = re.sub(r"(Posix)?Path\('/tmp/[^']*'\)|/tmp/tmp\w+", "<tmp>", text)   # temporary folders differ run to run
    return TIME.sub("<t>", _mask_time_columns(text)).strip()


def _mask_time_columns(text: str) -> str:
    "Markdown tables: the cells of columns headed by a time ('train s', 'seconds', 's/step') become <t>."
    out, timed = [], set()
    for line in text.splitlines():
        if not line.startswith("|"): timed = set(); out.append(line); continue
        cells = line.split("|")
        if not timed and not set(line) <= set("|-: "):
            timed = {i for i, h in enumerate(cells)
                     if re.search(r"(^|\s)(s|seconds|time|s/\w+)\s*$", h.strip())} or {-1}
        out.append("|".join("<t>" if i in timed and not set(c) <= set("-: ") else c for i, c in enumerate(cells)))
    return "\n".join(out)


def run(path: str, threads: int) -> tuple[dict, int]:
    "Texts by cell id after running the test path with `threads` session threads; and the session's count at the end."
    import nbformat, nbclient
    nb = nbformat.read(path, as_version=4)
    keep = [c for c in nb.cells if c.cell_type != "code" or not SKIP.search(c.source)]
    nb.cells = [nbformat.v4.new_code_cell(f"import torch; torch.set_num_threads({threads})")] + keep + \
               [nbformat.v4.new_code_cell("print('session threads at the end:', torch.get_num_threads())")]
    for c in nb.cells: c.setdefault("id", None)
    env_in_test = os.environ.get("IN_TEST")
    os.environ["IN_TEST"] = "1"   # as nbdev_test: the flagged cells are already taken out
    try: nbclient.NotebookClient(nb, timeout=1200, kernel_name="python3",
                                 resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    finally:
        if env_in_test is None: os.environ.pop("IN_TEST", None)
    end = int(re.search(r"session threads at the end: (\d+)", _text(nb.cells[-1])).group(1))
    return {c.get("id"): _text(c) for c in nb.cells[1:-1] if c.cell_type == "code"}, end


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("paths", nargs="+")
    p.add_argument("--threads", default="1,2")
    a = p.parse_args()
    counts = [int(t) for t in a.threads.split(",")]
    os.environ.pop("OMP_NUM_THREADS", None); os.environ.pop("MKL_NUM_THREADS", None)   # the session sets its own
    bad = 0
    for path in a.paths:
        import nbformat
        saved = {c.get("id"): _text(c) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}
        runs = {}
        for n in counts:
            t0 = time.time(); runs[n], end = run(path, n)
            print(f"{path}: {n} thread(s): {len(runs[n])} cells in {time.time() - t0:.0f} s; "
                  f"session threads at the end {end}")
            if end != n: bad += 1; print(f"  the notebook changed the session's threads: {n} -> {end}")
        base = runs[counts[0]]
        for n in counts[1:]:
            diff = [cid for cid in base if base[cid] != runs[n].get(cid)]
            bad += len(diff)
            print(f"  {counts[0]} vs {n} threads: {len(base) - len(diff)} cells print the same, "
                  f"{len(diff)} differ {diff}")
            for cid in diff[:5]: print(f"    {cid}:\n      {base[cid][:300]!r}\n      {runs[n][cid][:300]!r}")
        stale = [cid for cid in base if saved.get(cid) and base[cid] != saved[cid]]
        n_saved = len([c for c in base if saved.get(c)])
        print(f"  saved outputs: {n_saved - len(stale)} cells as saved, {len(stale)} differ {stale}")
        for cid in stale[:5]: print(f"    {cid}:\n      saved {saved[cid][:300]!r}\n      now   {base[cid][:300]!r}")
    print(f"{'' if bad == 0 else 'NOT '}the same at threads {a.threads}")
    sys.exit(1 if bad else 0)
