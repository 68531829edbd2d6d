#!/usr/bin/env python
"""Fail when the exported package differs from the notebooks, or a notebook is not clean.

Runs `nbdev_export` and `nbdev_clean` (the two steps due before every commit) and fails if either changed a
tracked file: then run `nbdev_export && nbdev_clean` and commit."""
import subprocess, sys

for cmd in (["nbdev_export"], ["nbdev_clean"]): subprocess.run(cmd, check=True)
try: out = subprocess.run(["git", "status", "--porcelain", "--", "worldbridge", "nbs"], capture_output=True, text=True, check=True).stdout
except (OSError, subprocess.CalledProcessError): sys.exit(print("not a git checkout: export and clean ran, consistency not checked") or 0)
if out.strip():
    print("The package or the notebooks differ from what `nbdev_export && nbdev_clean` make of them; run both and commit:\n" + out)
    print(subprocess.run(["git", "diff", "--stat", "--", "worldbridge", "nbs"], capture_output=True, text=True).stdout)
    sys.exit(1)
print("export check: worldbridge/ equals the notebooks, and the notebooks are clean")
