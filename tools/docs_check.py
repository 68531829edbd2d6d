#!/usr/bin/env python
"""nbdev's docs pipeline up to the Quarto render, without Quarto: what `nbdev_docs` does before it calls `quarto render`
(refresh `_quarto.yml`, rebuild the module index, write the sidebar, process every notebook: show_doc entries added
and executed), with only the Quarto install check replaced. Then every page is checked: it processed, it has a
show_doc entry for every public name its module exports, and it keeps the figures its notebook saved.

    python tools/docs_check.py [--n_workers 2]

Where Quarto exists, `make docs` (nbdev_docs) renders the site from the same processed pages."""
import argparse, json, sys, time, importlib
from pathlib import Path

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n_workers", type=int, default=2)
    a = p.parse_args()

    import nbdev.quarto as Q
    from nbdev.config import get_config
    Q._ensure_quarto = lambda: None          # the one step replaced: no Quarto install, no render
    t0 = time.time()
    cache, cfg, path = Q._pre_docs(n_workers=a.n_workers)
    print(f"processed {path} into {cache} in {time.time() - t0:.0f} s")

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

    problems, pages = [], 0
    for src in sorted(Path(path).rglob("*.ipynb")):
        if src.name.startswith("_") or ".ipynb_checkpoints" in str(src): continue
        rel = src.relative_to(path)
        out = Path(cache) / rel
        if not out.exists(): problems.append(f"{rel}: not processed"); continue
        pages += 1
        nb_in, nb_out = json.loads(src.read_text()), json.loads(out.read_text())
        if n_figures(nb_out) < n_figures(nb_in): problems.append(f"{rel}: {n_figures(nb_in)} saved figures, {n_figures(nb_out)} on the page")
        mod = module_of(nb_in)
        if not mod or mod.endswith("__main__"): continue
        names = getattr(importlib.import_module(f"{cfg.lib_name}.{mod}".replace(".__init__", "")), "__all__", [])
        text = "\n".join(json.dumps(o) for _, o in outputs(nb_out)) + "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb_out["cells"] if c["cell_type"] == "markdown")
        if mod.endswith("__init__"): continue   # the subpackage's page re-exports, documented on the pages of its modules
        missing = [n for n in names if not n.isupper() and f"{n}" not in text]
        if missing: problems.append(f"{rel}: no show_doc entry for {missing[:8]}{' ...' if len(missing) > 8 else ''}")
    print(f"{pages} pages checked")
    for pr in problems: print("  -", pr)
    print(f"{pages - len({pr.split(':')[0] for pr in problems})} passed, {len({pr.split(':')[0] for pr in problems})} failed")
    sys.exit(1 if problems else 0)

if __name__ == "__main__": main()
