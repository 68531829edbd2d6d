#!/usr/bin/env python
"""Small helpers for authoring the notebooks in `nbs/` from a text editor.

    python tools/nb.py dump  nbs/00_world/03_scene.ipynb > /tmp/03_scene.py   # notebook -> percent script
    python tools/nb.py build /tmp/03_scene.py nbs/00_world/03_scene.ipynb      # percent script -> notebook
    python tools/nb.py run   nbs/00_world/03_scene.ipynb [--flags slow]        # execute in place, keeping outputs
    python tools/nb.py cells nbs/00_world/03_scene.ipynb                       # one line a cell: index, id, first line
    python tools/nb.py get   nbs/00_world/03_scene.ipynb ID > /tmp/cell.py      # one cell's source
    python tools/nb.py set   nbs/00_world/03_scene.ipynb ID /tmp/cell.py        # replace it (outputs of other cells kept)
    python tools/nb.py insert nbs/00_world/03_scene.ipynb AFTER_ID /tmp/new.py [--markdown]   # a new cell after AFTER_ID
    python tools/nb.py delete nbs/00_world/03_scene.ipynb ID

`cells/get/set/insert/delete` read, change and write the notebook in one step, so several authors can edit
different cells of one notebook without losing each other's work or any saved output.

Percent format: a line `# %%` starts a code cell, `# %% [markdown]` a markdown cell whose lines are
written as comments (`# text`). The notebook in `nbs/` stays the source of truth; the script is a
scratch copy for editing.
"""
import json, sys, argparse
from pathlib import Path


def _nb(cells):
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "python3", "language": "python",
            "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def build(src, dest):
    cells, cur, kind = [], [], None

    def flush():
        if kind is None: return
        lines = list(cur)
        while lines and not lines[-1].strip(): lines.pop()
        while lines and not lines[0].strip(): lines.pop(0)
        if kind == "markdown":
            lines = [l[2:] if l.startswith("# ") else l[1:] if l.startswith("#") else l for l in lines]
            cells.append({"cell_type": "markdown", "metadata": {}, "source": "\n".join(lines)})
        else:
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                          "source": "\n".join(lines)})

    for line in Path(src).read_text().splitlines():
        if line.startswith("# %%"):
            flush()
            kind, cur = ("markdown" if "[markdown]" in line else "code"), []
        else:
            cur.append(line)
    flush()
    import hashlib
    for i, c in enumerate(cells):  # deterministic cell ids: nbdev_export writes them into the package
        c["id"] = hashlib.sha1(f"{i}:{c['source']}".encode()).hexdigest()[:8]
        c["source"] = c["source"].splitlines(keepends=True)
    Path(dest).write_text(json.dumps(_nb(cells), indent=1, ensure_ascii=False) + "\n")


def dump(nb_path):
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown":
            out.append("# %% [markdown]")
            out += ["# " + l if l else "#" for l in src.splitlines()]
        else:
            out.append("# %%")
            out += src.splitlines()
        out.append("")
    return "\n".join(out)


def run(nb_path, flags="", cells=""):
    "Execute a notebook in place with nbdev_test's cell rules (honouring `tst_flags`), saving its outputs; `cells`: ids of flagged cells to run too."
    import os
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.frontmatter import FrontmatterProc
    nb_path = Path(nb_path).resolve()
    os.environ['IN_TEST'] = '1'   # as nbdev_test: the cells this runs run (`skip_heavy_cells` skips none of them)
    skip = set(get_config().tst_flags.split()) - set(flags.split())
    nb = read_nb(nb_path)
    directives = NBProcessor(nb_path, procs=FrontmatterProc, process=True).nb  # parses `#|` directives
    skipped = set()
    for i, c in enumerate(directives.cells):
        d = getattr(c, 'directives_', {}) or {}
        if c.cell_type == 'code' and (skip & d.keys() or d.get('eval:', [''])[0].lower() == 'false'): skipped.add(i)
    want = set(filter(None, cells.split(",")))
    skipped -= {i for i, c in enumerate(nb.cells) if c.get("id") in want and "gpu" not in (getattr(directives.cells[i], "directives_", {}) or {})}
    for i, c in enumerate(nb.cells):   # a cell that runs and prints nothing must not keep an old output
        if c.cell_type == 'code' and i not in skipped and 'nbdev_export'+'(' not in c.source: c.outputs = []
    k = CaptureShell(nb_path)
    os.chdir(nb_path.parent)
    k.run_all(nb, exc_stop=True, preproc=lambda c: c.cell_type != 'code' or c.idx_ in skipped
              or 'nbdev_export'+'(' in c.source)
    write_nb(nb, nb_path)


def readme(nb_path="nbs/index.ipynb", dest="README.md"):
    "README.md from index.ipynb without quarto (`nbdev_readme` needs quarto): markdown cells, non-hidden code cells."
    nb = json.loads(Path(nb_path).read_text())
    out = ["<!-- WARNING: THIS FILE WAS AUTOGENERATED from nbs/index.ipynb (python tools/nb.py readme) -->", ""]
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown": out += [src, ""]
        elif not src.lstrip().startswith(("#| hide", "#| eval: false")): out += ["```python", src, "```", ""]   # not the Colab install cell
    Path(dest).write_text("\n".join(out))


def _load(nb_path): return json.loads(Path(nb_path).read_text())
def _save(nb, nb_path): Path(nb_path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
def _find(nb, cid):
    hits = [i for i, c in enumerate(nb["cells"]) if c.get("id") == cid]
    if not hits: raise SystemExit(f"no cell with id {cid!r}")
    return hits[0]


def cells(nb_path):
    for i, c in enumerate(_load(nb_path)["cells"]):
        src = "".join(c["source"]).strip().splitlines() or [""]
        print(f"{i:3d} {c.get('id')} {c['cell_type'][:2]} {src[0][:100]}")


def get(nb_path, cid):
    nb = _load(nb_path); print("".join(nb["cells"][_find(nb, cid)]["source"]))


def set_(nb_path, cid, src_file):
    nb = _load(nb_path); c = nb["cells"][_find(nb, cid)]
    c["source"] = Path(src_file).read_text().rstrip("\n").splitlines(keepends=True)
    if c["cell_type"] == "code": c["outputs"], c["execution_count"] = [], None
    _save(nb, nb_path)


def insert(nb_path, after, src_file, markdown=False):
    import hashlib
    nb = _load(nb_path); i = _find(nb, after) + 1 if after != "-" else 0
    src = Path(src_file).read_text().rstrip("\n")
    cid = hashlib.sha1(f"{nb_path}:{i}:{src}".encode()).hexdigest()[:8]
    c = ({"cell_type": "markdown", "id": cid, "metadata": {}, "source": src.splitlines(keepends=True)} if markdown else
         {"cell_type": "code", "execution_count": None, "id": cid, "metadata": {}, "outputs": [],
          "source": src.splitlines(keepends=True)})
    nb["cells"].insert(i, c); _save(nb, nb_path); print(cid)


def delete(nb_path, cid):
    nb = _load(nb_path); del nb["cells"][_find(nb, cid)]; _save(nb, nb_path)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["build", "dump", "run", "readme", "cells", "get", "set", "insert", "delete"])
    p.add_argument("args", nargs="*")
    p.add_argument("--flags", default="")
    p.add_argument("--markdown", action="store_true", help="insert: a markdown cell")
    p.add_argument("--cells", default="", help="run: ids of flagged cells to run as well (e.g. new slow cells)")
    a = p.parse_args()
    if a.cmd == "build": build(*a.args)
    elif a.cmd == "dump": print(dump(a.args[0]))
    elif a.cmd == "readme": readme(*a.args)
    elif a.cmd == "cells": cells(*a.args)
    elif a.cmd == "get": get(*a.args)
    elif a.cmd == "set": set_(*a.args)
    elif a.cmd == "insert": insert(*a.args, markdown=a.markdown)
    elif a.cmd == "delete": delete(*a.args)
    else: run(a.args[0], a.flags, a.cells)
