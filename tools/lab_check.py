#!/usr/bin/env python
"""The saved plotly figures draw in JupyterLab without a network (issue 28, item 3). Copies the cells of a notebook
whose saved output carries plotly's mime type into a fresh notebook (untrusted, as a downloaded one is), starts
JupyterLab on 127.0.0.1, opens it in headless Chromium with every request to another host aborted
(tools/browser/lab_plotly.mjs) and checks that each figure is drawn with its traces. Needs Debian's chromium and
`npm ci --prefix tools/browser`. Closes with 'N passed, N failed'.

    python tools/lab_check.py nbs/50_scene4d.ipynb [--shot /tmp/lab_plotly.png]
"""
import argparse, json, os, secrets, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

MIME = "application/vnd.plotly.v1+json"

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("notebook")
    p.add_argument("--shot", default="/tmp/lab_plotly.png")
    a = p.parse_args()
    nb = json.loads(Path(a.notebook).read_text())
    cells = [c for c in nb["cells"]
             if c["cell_type"] == "code" and any(MIME in o.get("data", {}) for o in c.get("outputs", []))]
    traces = sum(len(o["data"][MIME]["data"]) for c in cells for o in c["outputs"] if MIME in o.get("data", {}))
    if not cells: sys.exit(print(f"{a.notebook}: no saved plotly output\n0 passed, 1 failed") or 1)
    root = Path(tempfile.mkdtemp(prefix="wb_lab_"))
    (root / "plot.ipynb").write_text(json.dumps({**nb, "cells": cells}))
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    token = secrets.token_hex(8)
    lab = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                            f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
                            "--allow-root", "--LabApp.news_url=",
                            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.time()
        while True:   # the server answers
            try: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2); break
            except OSError:
                if time.time() - t0 > 60 or lab.poll() is not None:
                    sys.exit(print("JupyterLab did not start\n0 passed, 1 failed") or 1)
                time.sleep(0.5)
        out = subprocess.run(["node", str(Path(__file__).parent / "browser" / "lab_plotly.mjs"),
                              f"http://127.0.0.1:{port}/lab/tree/plot.ipynb?token={token}", a.shot],
                             capture_output=True, text=True, timeout=240)
        if out.returncode: sys.exit(print(out.stderr[-2000:] + "\n0 passed, 1 failed") or 1)
        r = json.loads(out.stdout)
    finally:
        lab.terminate()
        try: lab.wait(10)
        except subprocess.TimeoutExpired: lab.kill()
    ok = r["plots"] == len(cells) and r["traces"] == traces and not r["errors"]
    print(f"{a.notebook}: {r['plots']} of {len(cells)} plotly figures drawn offline in JupyterLab, {r['traces']} of "
          f"{traces} traces; {len(r['external'])} requests to other hosts aborted; errors: {r['errors'] or 'none'}; "
          f"screenshot {a.shot}")
    print(f"{int(ok)} passed, {int(not ok)} failed")
    sys.exit(0 if ok else 1)
