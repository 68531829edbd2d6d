#!/usr/bin/env python
"Fail when the exported package differs from the notebooks (run `nbdev_export` and commit)."
import subprocess, sys
subprocess.run(["nbdev_export"], check=True)
try: out = subprocess.run(["git", "status", "--porcelain", "--", "worldbridge"], capture_output=True, text=True, check=True).stdout
except (OSError, subprocess.CalledProcessError): sys.exit(print("not a git checkout: export ran, consistency not checked") or 0)
if out.strip():
    print("The exported package differs from the notebooks; run `nbdev_export` and commit:\n" + out)
    print(subprocess.run(["git", "diff", "--stat", "--", "worldbridge"], capture_output=True, text=True).stdout)
    sys.exit(1)
print("export check: worldbridge/ equals the notebooks")
