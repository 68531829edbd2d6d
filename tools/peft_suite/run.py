#!/usr/bin/env python
"""Run PEFT's own behavioural tests on KAdaptation, beside LoKr (and optionally LoRA) on the same models.

    python tools/peft_suite/run.py                      # KAdaptation and LoKr (`make peft-suite`)
    python tools/peft_suite/run.py --lora               # and LoRA, for a third column
    python tools/peft_suite/run.py -- -k conv2d         # extra pytest arguments after `--`

The tests are PEFT's `tests/` from the sdist of the installed peft version (`pip download --no-binary :all:`), kept in
a cache outside the repository (`$PEFT_SUITE_CACHE`, default `~/.cache/worldbridge/peft-suite`); nothing of PEFT's
code is copied into this repository. `kadaptation_rows.py` (a pytest plugin, next to this file) adds KAdaptation's
rows to PEFT's parametrization lists at collection time, keeps the tests parametrized with the chosen methods' config
classes, and prints the per-method passed / failed / skipped table. The exit status is 1 when a KAdaptation test fails.
"""
import argparse, importlib.metadata, json, os, subprocess, sys, tarfile, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEST_FILES = ("tests/test_custom_models.py", "tests/test_config.py")


def fetch_tests(version: str, cache: Path) -> Path:
    "PEFT `version`'s sdist `tests/` under `cache` (downloaded once); returns the folder holding `tests/`."
    root = cache / f"peft-{version}"
    if (root / "tests" / "test_custom_models.py").exists(): return root
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as d:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        f"peft=={version}", "-d", d], check=True)
        sdist = next(Path(d).glob(f"peft-{version}.tar.gz"))
        with tarfile.open(sdist) as tf:
            prefix = f"peft-{version}/tests/"
            members = [m for m in tf.getmembers() if m.name.startswith(prefix) and m.isfile()]
            for m in members: m.name = m.name.removeprefix(f"peft-{version}/")
            tf.extractall(root, members=members, filter="data")
    # the sdist ships tests/ without the package marker PEFT's repository has (its modules import each other relatively)
    (root / "tests" / "__init__.py").touch()
    return root


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lora", action="store_true", help="LoRA as a third column (about twice the time)")
    p.add_argument("--cache", default=os.environ.get("PEFT_SUITE_CACHE",
                                                     Path.home() / ".cache" / "worldbridge" / "peft-suite"))
    p.add_argument("--summary", default=None, help="write the counts as JSON here (default: in the cache)")
    a = p.parse_args(argv)
    version = importlib.metadata.version("peft")
    root = fetch_tests(version, Path(a.cache))
    methods = "KAdaptationConfig,LoKrConfig" + (",LoraConfig" if a.lora else "")
    summary = Path(a.summary or root / "summary.json").resolve()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    cmd = [sys.executable, "-m", "pytest", *TEST_FILES, "-p", "kadaptation_rows", "-p", "no:cacheprovider",
           "-o", "addopts=", "-q", "--no-header", "-rN", "--disable-warnings", f"--peft-methods={methods}",
           f"--peft-summary={summary}", *extra]
    print(f"PEFT {version}'s tests from {root}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=root, env=env)
    print(f"wall time: {time.perf_counter() - t0:.0f} s")
    res = json.loads(summary.read_text())
    return 1 if any(m == "KAdaptationConfig" for m in res["failed"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
