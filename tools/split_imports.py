#!/usr/bin/env python
"""Keep imports in cells of their own, as nbdev's docs build needs (nbdev FAQ: "Found cells containing imports and other
code"): nbdev executes every cell that contains an import while it builds the docs, so a test cell that also imports
would run there — slow and GPU cells, hub downloads, code that needs the cells before it. For every code cell that is
not exported and mixes top-level imports with other code, the imports move into a new cell just before it (hidden
when the cell is hidden). Imports nested inside other statements are reported, to be fixed by hand. Idempotent.

    python tools/split_imports.py [--check] [nbs/...ipynb ...]"""
import argparse, ast, hashlib, json, re, sys
from pathlib import Path

EXPORTS = ("export", "exporti", "exports", "default_exp")

def text(c): return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]

def directives(src):
    return [l for l in src.splitlines() if re.match(r"\s*#\|", l)]

def split(cell):
    "`(imports cell or None, rest source, nested-import problem or None)`."
    src = text(cell)
    dirs = directives(src)
    if any(re.match(rf"\s*#\|\s*({'|'.join(EXPORTS)})\b", d) for d in dirs): return None, src, None
    if any(re.match(r"\s*#\|\s*eval:\s*false", d) for d in dirs): return None, src, None
    try: tree = ast.parse(src)
    except SyntaxError: return None, src, None   # magics etc.
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    other = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    nested = [n for o in other for n in ast.walk(o) if isinstance(n, (ast.Import, ast.ImportFrom))]
    problem = f"line {nested[0].lineno}: an import nested in other code" if nested else None
    if not top or not other: return None, src, problem
    lines = src.splitlines(keepends=True)
    take = set()
    for n in top: take.update(range(n.lineno - 1, n.end_lineno))
    imports = "".join(lines[i] for i in sorted(take)).rstrip("\n")
    rest = "".join(l for i, l in enumerate(lines) if i not in take).rstrip("\n")
    hidden = [d for d in dirs if re.match(r"\s*#\|\s*hide\b", d)]
    new = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
           "source": ("\n".join(hidden) + "\n" if hidden else "") + imports}
    new["id"] = hashlib.sha1(new["source"].encode()).hexdigest()[:8]
    new["source"] = new["source"].splitlines(keepends=True)
    return new, rest, problem

def fix(path: Path, check: bool) -> tuple[int, list]:
    nb = json.loads(path.read_text())
    out, n, problems = [], 0, []
    for c in nb["cells"]:
        if c["cell_type"] != "code": out.append(c); continue
        new, rest, problem = split(c)
        if problem: problems.append(f"{path}: cell {c.get('id')}: {problem}")
        if new is None: out.append(c); continue
        n += 1
        c["source"] = rest.splitlines(keepends=True)
        out += [new, c]
    if n and not check:
        nb["cells"] = out
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return n, problems

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true")
    p.add_argument("paths", nargs="*")
    a = p.parse_args()
    paths = [Path(x) for x in a.paths] or sorted(f for f in Path("nbs").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(f))
    total, probs = 0, []
    for f in paths:
        n, pr = fix(f, a.check); total += n; probs += pr
        if n: print(f"{f}: {n} cells {'mix imports with code' if a.check else 'split'}")
    for pr in probs: print("  nested:", pr)
    sys.exit(1 if a.check and (total or probs) else 0)

if __name__ == "__main__": main()
