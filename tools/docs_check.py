#!/usr/bin/env python
"""nbdev's docs pipeline up to the Quarto render, without Quarto: what `nbdev_docs` does before it calls `quarto render`
(refresh `_quarto.yml`, rebuild the module index, write the sidebar, process every notebook with nbdev's own
processors: show_doc entries added and executed), with only the Quarto install check left out. Each notebook is
processed as `nbdev.serve.proc_nbs` processes it (the same per-file job, `nbdev.serve_drv.main`), each in a process of
its own, so that a failure is collected and named instead of stopping the rest. Then every page is checked: it processed, it has
a show_doc entry for every public name its module exports, and it keeps the figures its notebook saved.

    python tools/docs_check.py [--n_workers 2]

Where Quarto exists, `make docs` (nbdev_docs) renders the site from the same processed pages."""
import argparse, json, sys, time, importlib, shutil, traceback, re
from pathlib import Path

def process(job, timeout: float = 900) -> str | None:
    "One file, as nbdev processes it (`nbdev.serve_drv.main`), in a process of its own; an error text, or None."
    import subprocess
    code = ("import sys, pathlib, nbdev.serve_drv\nfrom nbdev.processors import FilterDefaults\n"
            f"nbdev.serve_drv.main((pathlib.Path({str(job[0])!r}), pathlib.Path({str(job[1])!r}), FilterDefaults))")
    if not isinstance(job[2], type): code = ("import pathlib, nbdev.serve_drv\n"
            f"nbdev.serve_drv.main((pathlib.Path({str(job[0])!r}), pathlib.Path({str(job[1])!r}), {job[2]!r}))")
    try: p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired: return f"took over {timeout:.0f} s (cells run while the page is built: slow or gpu work outside its flag?)"
    if p.returncode == 0: return None
    err = p.stderr.strip().splitlines()
    cause = [l for l in err if re.match(r"^\w+(Error|Exception|Exit)\b", l)]
    cell = "\n".join(err[err.index(next(l for l in err if l.startswith("Exception: Error"))):][:6]) if any(l.startswith("Exception: Error") for l in err) else ""
    return f"exit {p.returncode}: {cause[0] if cause else (err[-1] if err else '')}" + (f"\n      {cell}" if cell else "")

def outputs(nb):
    for c in nb["cells"]:
        for o in c.get("outputs", []): yield c, o

def n_figures(nb): return sum(1 for _, o in outputs(nb) if any(k.startswith("image/") for k in o.get("data", {})))

def module_of(nb):
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for line in src.splitlines():
            if line.strip().startswith("#| default_exp"): return line.split("default_exp", 1)[1].strip()
    return None

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n_workers", type=int, default=2)
    p.add_argument("paths", nargs="*", help="only these notebooks (default: all)")
    a = p.parse_args()
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.serve import _proc_file
    from nbdev.doclinks import nbglob, _build_modidx
    cfg = get_config(); path = cfg.nbs_path; cache = cfg.config_path / "_proc"
    t0 = time.time()
    sys.path.insert(0, str(Path(__file__).parent))
    from docs_site import flagged_import_cells   # nbdev's docs step would run them: a slow cell would run for minutes
    heavy = flagged_import_cells()
    if heavy: sys.exit("flagged cells that import something (nbdev's docs step runs them, whatever the flag): move the "
                       "imports to an import cell\n  " + "\n  ".join(heavy))
    refresh_quarto_yml(); _build_modidx(); nbdev_sidebar.__wrapped__(path=path)   # _pre_docs, less _ensure_quarto
    if not a.paths: shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(exist_ok=True)
    files = list(nbglob(path, func=Path, file_glob="", file_re=""))
    if a.paths: files = [f for f in files if any(f.resolve() == Path(x).resolve() for x in a.paths)]
    if (path / "_quarto.yml").exists(): files.append(path / "_quarto.yml")
    jobs = [j for j in (_proc_file(f, mtime=None, cache=cache, path=path) for f in files) if j]
    from concurrent.futures import ThreadPoolExecutor
    nb_jobs = [j for j in jobs if j[0].suffix == ".ipynb"]
    with ThreadPoolExecutor(a.n_workers) as ex: errors = dict(zip([j[0] for j in nb_jobs], ex.map(process, nb_jobs)))
    for j in jobs:
        if j[0].suffix != ".ipynb": errors[j[0]] = process(j)
    print(f"processed {len(jobs)} notebooks from {path} into {cache} in {time.time() - t0:.0f} s (no Quarto render)")
    problems = {}
    for src in sorted(s for s in files if s.suffix == ".ipynb"):
        rel = src.relative_to(path)
        if errors.get(src): problems[rel] = [f"processing failed: {errors[src]}"]; continue
        out = cache / rel
        if not out.exists(): problems[rel] = ["not processed"]; continue
        nb_in, nb_out = json.loads(src.read_text()), json.loads(out.read_text())
        found = []
        if n_figures(nb_out) < n_figures(nb_in): found.append(f"{n_figures(nb_in)} saved figures, {n_figures(nb_out)} on the page")
        mod = module_of(nb_in)
        if mod and not mod.endswith(("__main__", "__init__")):   # a subpackage's __init__ re-exports what its pages document
            names = getattr(importlib.import_module(f"{cfg.lib_name}.{mod}"), "__all__", [])
            text = "\n".join(json.dumps(o) for _, o in outputs(nb_out))
            missing = [n for n in names if not n.isupper() and not re.search(rf"\b{re.escape(n)}\b", text)]
            if missing: found.append(f"no show_doc entry for {missing[:8]}{' ...' if len(missing) > 8 else ''}")
        if found: problems[rel] = found
    import yaml   # the sidebar (hand-written, grouped like the README's parts) names every page, and only pages that exist
    def entries(items):
        for it in items:
            if isinstance(it, str): yield it
            else:
                if it.get("href"): yield it["href"]
                yield from entries(it.get("contents", []))
    side = list(entries(yaml.safe_load((path / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]))
    for e in side:
        if not (path / e).exists(): problems.setdefault(Path("sidebar.yml"), []).append(f"names {e}, which does not exist")
    if not a.paths:
        for s in files:
            if s.suffix == ".ipynb" and s.relative_to(path).as_posix() not in side: problems.setdefault(s.relative_to(path), []).append("not in the sidebar")
    n = sum(1 for s in files if s.suffix == ".ipynb")
    for rel, ps in problems.items():
        for pr in ps: print(f"  - {rel}: {pr}")
    print(f"docs pages: {n - len(problems)} passed, {len(problems)} failed")
    sys.exit(1 if problems else 0)

if __name__ == "__main__": main()
