#!/usr/bin/env python
"""Run `nbdev_test` over nbs/ and close with one summary line ('N passed, N failed').

Arguments are passed to nbdev_test (e.g. `--flags gpu`, `--path nbs/00_world/06_questions.ipynb`)."""
import subprocess, sys, re, time
from pathlib import Path

args = sys.argv[1:]
t0 = time.time()
p = subprocess.run(["nbdev_test", "--timing", *args], capture_output=True, text=True)
sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)
path = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--path"), None)
nbs = [Path(path)] if path and Path(path).is_file() else [f for f in Path("nbs").rglob("*.ipynb")
       if not f.name.startswith("_") and ".ipynb_checkpoints" not in str(f)]
out = p.stdout + p.stderr
tail = out.split("Failed On The Following Notebooks:", 1)[1] if "Failed On The Following Notebooks:" in out else ""
failed = set(re.findall(r"^\s+(\S+\.ipynb)\s*$", tail, flags=re.M))
print(f"notebook tests finished in {time.time() - t0:.0f}s")
print(f"{len(nbs) - len(failed)} passed, {len(failed)} failed")
sys.exit(p.returncode)
