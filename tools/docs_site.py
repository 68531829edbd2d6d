#!/usr/bin/env python
"""The docs site, rendered with Quarto and read as a reader reads it.

    python tools/docs_site.py build [--n_workers 2]   # nbdev_docs without its README step -> _docs/
    python tools/docs_site.py check [--no-browser]    # check _docs/, then open every page in headless Chromium

`build` is what `nbdev_docs` does (nbdev's docs preparation, then `quarto render`, then `_docs/`), less its
`nbdev_readme` step: README.md is generated from nbs/index.ipynb by `tools/nb.py readme` alone, so building the docs
leaves the tree as it was. Quarto's output goes to `_docs_check/render.log`.

`check` fails on: a Quarto warning or error in that log; a broken internal link or anchor (href/src of every page,
the navigation included); a page without a show_doc entry for a public name its module exports, or with fewer
figures than its notebook saved; text a reader should not meet (the Colab install cell, test flags in prose, `NoneType`
defaults, machine paths, tqdm bars, TeX in a page's description, a badge rendered as a captioned figure). Then every
page is opened in Debian's Chromium (tools/browser/pages.mjs, playwright-core) from a server on 127.0.0.1, with every
other host unreachable: a JavaScript error, a console error or a failed request of the site's own fails the check;
what a page asks of a CDN is listed, and fails nothing. Screenshots of the landing page and two API pages are saved in
`_docs_check/` (with `report.json`).

Needs: Quarto on PATH (`bash ../shared/tools/quarto/install.sh DEST`), `chromium` (Debian) and `npm ci` in
tools/browser (`make docs-site-check` does both)."""
import argparse, html.parser, json, os, re, shutil, subprocess, sys, threading, time
from pathlib import Path
from urllib.parse import urlsplit, unquote

ROOT = Path(__file__).resolve().parent.parent
DOCS, OUT = ROOT / "_docs", ROOT / "_docs_check"
SHOTS = ["index.html", "core.html", "kadaptation.html"]   # the landing page and two API pages
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def flagged_import_cells() -> list[str]:
    "Cells that nbdev's docs step would run although a test flag (`#| slow`, gpu, hub) keeps the tests off them."
    import ast
    from nbdev.config import get_config
    cfg = get_config(); flags = set(cfg.tst_flags.split()); out = []
    for nb in sorted(cfg.nbs_path.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in str(nb): continue
        for i, c in enumerate(json.loads(nb.read_text())["cells"]):
            src = "".join(c["source"])
            d = [l.split()[1] if len(l.split()) > 1 else "" for l in src.splitlines() if l.startswith("#|")]
            if c["cell_type"] != "code" or not flags & set(d) or re.search(r"^#\|\s*eval:\s*false", src, re.M): continue
            try: tree = ast.parse("\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("%", "!"))))
            except SyntaxError: continue
            # nbdev's exec_show_docs runs any cell whose code imports something, anywhere in it, whatever its flags
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree)):
                out.append(f"{nb.relative_to(cfg.nbs_path)} cell {i} ({c.get('id')}): #| {' '.join(flags & set(d))}")
    return out


def build(n_workers: int = 2):
    "nbdev's docs preparation, then `quarto render` into _docs/, logged to _docs_check/render.log."
    os.chdir(ROOT)
    heavy = flagged_import_cells()
    if heavy: sys.exit("nbdev's docs step would run these flagged cells, since they import something (it runs every cell "
                       "with an import, whatever its flags): move the imports to an import cell of their own\n  "
                       + "\n  ".join(heavy))
    if not shutil.which("quarto"): sys.exit("quarto is not on PATH: bash ../shared/tools/quarto/install.sh DEST, then DEST/bin")
    from nbdev.quarto import _pre_docs
    t0 = time.time()
    shutil.rmtree(ROOT / "_proc", ignore_errors=True)   # every page processed anew (not `force`: nbdev_sidebar takes it
    cache, cfg, _ = _pre_docs(n_workers=n_workers)      # too, and would overwrite the hand-written sidebar.yml)
    t1 = time.time()
    OUT.mkdir(exist_ok=True)
    p = subprocess.run(["quarto", "render", "--no-cache"], cwd=cache, capture_output=True, text=True)
    (OUT / "render.log").write_text(p.stdout + p.stderr)
    if p.returncode: sys.exit(f"quarto render failed (exit {p.returncode}); see {OUT / 'render.log'}:\n{p.stderr[-3000:]}")
    shutil.rmtree(cfg.doc_path, ignore_errors=True)
    shutil.move(cache / cfg.doc_path.name, cfg.config_path)
    print(f"docs: processed the notebooks in {t1 - t0:.0f} s, rendered {cfg.doc_path} in {time.time() - t1:.0f} s")


class _Page(html.parser.HTMLParser):
    "The links, ids, images, meta tags, headings and (tag-stripped) text of one HTML page."
    def __init__(self):
        super().__init__(); self.links, self.ids, self.meta, self.figcaptions, self.h3 = [], set(), {}, [], []
        self.imgs_out, self.text, self._stack, self._cap, self._skip = 0, [], [], None, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ("img", "meta", "link", "br", "hr", "input", "source"): self._stack.append((tag, a.get("class") or ""))
        for k in ("id", "data-anchor-id"):
            if a.get(k): self.ids.add(a[k])
        if tag == "a" and a.get("name"): self.ids.add(a["name"])
        for k in ("href", "src"):
            if a.get(k) and tag in ("a", "link", "script", "img", "iframe", "source"): self.links.append(a[k])
        if tag == "meta": self.meta[a.get("name") or a.get("property") or ""] = a.get("content") or ""
        if tag == "img" and any("cell-output" in c for _, c in self._stack): self.imgs_out += 1
        if tag == "figcaption": self._cap = []
        if tag in ("script", "style"): self._skip += 1

    def handle_endtag(self, tag):
        if tag == "figcaption" and self._cap is not None: self.figcaptions.append("".join(self._cap).strip()); self._cap = None
        if tag in ("script", "style"): self._skip = max(0, self._skip - 1)
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag: break

    def handle_data(self, data):
        if self._cap is not None: self._cap.append(data)
        if self._skip: return
        block = any(t == "pre" for t, _ in self._stack)   # a code listing or an output; inline code is prose
        self.text.append((block, data))


def _parse(f: Path) -> _Page:
    p = _Page(); p.feed(f.read_text(errors="replace")); return p


def _pages_of_notebooks():
    "(notebook, its page under _docs/) for every notebook nbdev rendered: the `output-file` nbdev gives it in _proc/."
    from nbdev.config import get_config
    cfg = get_config(); nbs = cfg.nbs_path; out = []
    for nb in sorted(nbs.rglob("*.ipynb")):
        rel = nb.relative_to(nbs)
        if nb.name.startswith("_") or ".ipynb_checkpoints" in str(rel): continue
        proc = ROOT / "_proc" / rel
        m = re.search(r"output-file:\s*([^\s\"\\]+)", proc.read_text()) if proc.exists() else None
        name = m.group(1) if m else re.sub(r"^\d+_", "", nb.stem) + ".html"
        out.append((nb, DOCS / rel.parent / name))
    return out


def _module_names(nb: Path) -> list:
    "The public names the notebook's module exports (`__all__`), constants left out; [] for a page without a module."
    import importlib
    src = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code")
    m = re.search(r"^#\|\s*default_exp\s+(\S+)", src, flags=re.M)
    if not m or m.group(1).endswith(("__main__", "__init__")): return []
    mod = importlib.import_module(f"worldbridge.{m.group(1)}")
    # a name defined in another module and imported here (`parse_scene_graph` from world) has its entry on that page
    return [n for n in getattr(mod, "__all__", []) if not n.isupper()
            and getattr(getattr(mod, n, None), "__module__", mod.__name__) == mod.__name__]


def _saved_figures(nb: Path) -> int:
    "Figures the notebook saved (image outputs) in cells the site shows (not `#| hide`)."
    n = 0
    for c in json.loads(nb.read_text())["cells"]:
        if c["cell_type"] != "code" or re.match(r"\s*#\|\s*hide\b", "".join(c["source"])): continue
        n += sum(1 for o in c.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {})))
    return n


NOISE = {   # text a reader of the site should not meet: test flags in prose; in outputs, this machine's paths, tqdm bars
    "a test flag in prose": re.compile(r"#\|\s*(slow|gpu|hub)\b"),
    "a machine path": re.compile(r"(/work/main|/root/|/tmp/tmp|site-packages/|\.venv/)"),
    "a tqdm bar": re.compile(r"\d+%\|[█▉▊▋▌▍▎▏ #]*\|\s*\d+/\d+"),
}
FLAG_PAGES = {"index.html", "core.html"}   # the pages about the flags themselves (the tests; `skip_heavy_cells`)


def check_static(problems: dict):
    "The rendered files alone: the render log, links and anchors, API entries, figures, what a reader should not meet."
    log = ANSI.sub("", (OUT / "render.log").read_text()) if (OUT / "render.log").exists() else None
    if log is None: problems.setdefault("render.log", []).append("missing: run `tools/docs_site.py build` first")
    else:
        for line in log.splitlines():
            if re.match(r"\s*(\[?WARN(ING)?\]?|\[?ERROR\]?)\b", line): problems.setdefault("render.log", []).append(line.strip()[:200])
    pages = {f: _parse(f) for f in sorted(DOCS.rglob("*.html"))}
    site = urlsplit(re.search(r'site-url:\s*"?([^"\n]+)', (ROOT / "nbs" / "nbdev.yml").read_text()).group(1))
    for f, pg in pages.items():
        rel = f.relative_to(DOCS).as_posix()
        for href in pg.links:
            u = urlsplit(href)
            if u.scheme in ("http", "https") and u.netloc == site.netloc and u.path.startswith(site.path):
                u = urlsplit(href.replace(f"{site.scheme}://{site.netloc}{site.path.rstrip('/')}", "", 1) or "/")
                target = DOCS / unquote(u.path).lstrip("/")
            elif u.scheme or u.netloc or href.startswith(("mailto:", "javascript:", "data:")): continue
            elif not u.path: target = f
            else: target = (DOCS / unquote(u.path).lstrip("/")) if u.path.startswith("/") else (f.parent / unquote(u.path))
            target = Path(os.path.normpath(target))
            if target.is_dir(): target = target / "index.html"
            if not target.exists():
                problems.setdefault(rel, []).append(f"broken link {href}"); continue
            if u.fragment and target.suffix == ".html" and u.fragment not in pages.get(target, _Page()).ids:
                problems.setdefault(rel, []).append(f"broken anchor {href}")
        desc = " ".join(v for k, v in pg.meta.items() if k in ("description", "og:description", "twitter:description"))
        if re.search(r"\$|\\[a-zA-Z]+", desc): problems.setdefault(rel, []).append(f"TeX in the page's description: {desc[:100]}")
        if any("Colab" in c for c in pg.figcaptions): problems.setdefault(rel, []).append("the Colab badge is a captioned figure")
        prose = "".join(t for block, t in pg.text if not block)
        alltext = "".join(t for _, t in pg.text)
        for what, rx in NOISE.items():
            if what == "a test flag in prose" and rel in FLAG_PAGES: continue
            txt = prose if what == "a test flag in prose" else alltext
            m = rx.search(txt)
            if m: problems.setdefault(rel, []).append(f"{what}: ...{txt[max(0, m.start() - 40):m.end() + 40]!r}")
        raw = f.read_text(encoding="utf-8", errors="replace")
        if re.search(r"<script[^>]*\bsrc=\"[^\"]*(require|jquery)[^\"]*\.js", raw, re.I):   # Quarto adds both to a page with any HTML output
            problems.setdefault(rel, []).append("loads require.js and jQuery from CDNs (an HTML or widget output: see "
                                                "`scene4d.docs_static_outputs`)")
        if "Colab: install worldbridge" in alltext: problems.setdefault(rel, []).append("the Colab install cell is shown")
        n_none = len(re.findall(r"NoneType\s*=\s*None", alltext))
        if n_none: problems.setdefault(rel, []).append(f"{n_none} parameters shown as `NoneType=None` (annotate them)")
    for nb, f in _pages_of_notebooks():
        rel = f.relative_to(DOCS).as_posix() if f.is_relative_to(DOCS) else str(f)
        if f not in pages: problems.setdefault(rel, []).append(f"not rendered (from {nb.relative_to(ROOT)})"); continue
        pg = pages[f]
        ids = {i.lower() for i in pg.ids}   # Quarto's anchors are lower-case
        missing = [n for n in _module_names(nb) if n.lower() not in ids]
        if missing: problems.setdefault(rel, []).append(f"no API entry for {missing[:8]}{' ...' if len(missing) > 8 else ''}")
        want = _saved_figures(nb)
        if pg.imgs_out < want: problems.setdefault(rel, []).append(f"{want} figures saved in the notebook, {pg.imgs_out} on the page")
    return [f.relative_to(DOCS).as_posix() for f in pages]


def check_browser(pages: list, problems: dict) -> dict:
    "Every page in headless Chromium, from a server on 127.0.0.1 that this function starts and stops."
    import functools, http.server
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(DOCS))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        node = ROOT / "tools" / "browser"
        p = subprocess.run(["node", str(node / "pages.mjs"), f"http://127.0.0.1:{srv.server_address[1]}", str(OUT),
                            ",".join(SHOTS), *pages], capture_output=True, text=True, timeout=900)
    finally: srv.shutdown(); srv.server_close()
    if p.returncode: sys.exit(f"the browser check did not run (exit {p.returncode}):\n{p.stderr[-3000:]}")
    report = json.loads(p.stdout)
    for page, r in report.items():
        if r["status"] != 200: problems.setdefault(page, []).append(f"HTTP {r['status']}")
        cdn = bool(r["external"])
        for e in r["pageErrors"]:
            # a library that a CDN would have given (require.js, Plotly, MathJax ...) missing is the CDN's failure
            if cdn and re.match(r"(ReferenceError: )?\w+ is not defined", e): continue
            problems.setdefault(page, []).append(f"page error: {e}")
        for e in r["consoleErrors"]:
            if cdn and "net::ERR_INTERNET_DISCONNECTED" in e: continue
            problems.setdefault(page, []).append(f"console error: {e}")
        for e in r["failed"]: problems.setdefault(page, []).append(f"failed request: {e}")
    return report


def check(browser: bool = True):
    t0 = time.time()
    OUT.mkdir(exist_ok=True)
    problems = {}
    if not DOCS.exists(): sys.exit("no _docs/: run `tools/docs_site.py build` (make docs) first")
    pages = check_static(problems)
    t1 = time.time()
    report = check_browser(pages, problems) if browser else {}
    ext = sorted({u.split(" ", 1)[1].split("/")[2] for r in report.values() for u in r["external"]})
    problems = {pg: ps for pg, ps in problems.items() if ps}
    (OUT / "report.json").write_text(json.dumps({"problems": problems, "pages": report}, indent=1))
    for page, ps in sorted(problems.items()):
        for pr in ps: print(f"  - {page}: {pr}")
    if report:
        print(f"browser: {len(report)} pages opened in Chromium in {time.time() - t1:.0f} s; unreachable hosts asked for "
              f"(not counted as errors): {', '.join(ext) or 'none'}; screenshots: "
              + ", ".join(str(Path(r['shot']).relative_to(ROOT)) for r in report.values() if r.get("shot")))
    print(f"docs site: {len(pages)} pages, {len(problems)} with problems ({time.time() - t0:.0f} s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cmd", choices=["build", "check"])
    p.add_argument("--n_workers", type=int, default=2)
    p.add_argument("--no-browser", action="store_true", help="check: the rendered files only")
    a = p.parse_args()
    build(a.n_workers) if a.cmd == "build" else check(not a.no_browser)
