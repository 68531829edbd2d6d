#!/usr/bin/env bash
# The prepared GPU check: every notebook's `#| gpu` cells (real architectures, random weights, nothing from the network),
# one `nbdev_test --flags gpu` per notebook so that one failure hides no other, and one summary.
#
#   bash tools/gpu_check.sh                  # on a CUDA machine: a venv with torch==2.13.0 and the package, then the check
#   bash tools/gpu_check.sh --no-install     # use the python on PATH as it is (torch and `pip install -e .[dev]` done)
#   bash tools/gpu_check.sh --wheels DIR     # install offline from a folder of wheels (a machine without network)
#   bash tools/gpu_check.sh --cpu-selftest   # here, without a GPU: no install, device forced to CPU, only the quick subset
#                                            # (nbs/00_architectures.ipynb, whose gpu cell runs at one layer off CUDA)
# Options: --jobs N (notebooks at a time; default: all at once), --timeout S (per notebook, default 400),
#          --nb PATH (repeatable; default: every notebook with a `#| gpu` cell), --gsplat (also try `pip install gsplat`).
# Environment: OUT (default ./gpu_check_out), VENV (default ${TMPDIR:-/tmp}/worldbridge-gpu-venv), PYTHON (default python3).
# Writes $OUT/summary.md (pass/fail per notebook, the step times and peak memory the cells measured), $OUT/summary.json,
# $OUT/logs.txt (each notebook's nbdev_test output) and $OUT/env.txt. Sized to end within 8 minutes on one H200:
# notebooks run side by side (a per-notebook timeout bounds each), so their timings share the machine; --jobs 1 for clean ones.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-./gpu_check_out}; VENV=${VENV:-${TMPDIR:-/tmp}/worldbridge-gpu-venv}; PYTHON=${PYTHON:-python3}
INSTALL=1; WHEELS=""; JOBS=0; TIMEOUT=400; SELFTEST=0; GSPLAT=0; NBS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) INSTALL=0 ;;
    --wheels) WHEELS=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    --nb) NBS+=("$2"); shift ;;
    --gsplat) GSPLAT=1 ;;
    --cpu-selftest) SELFTEST=1; INSTALL=0 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac; shift
done
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd); WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
T0=$(date +%s)

if [ $INSTALL = 1 ]; then
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || exit 3
  PIP=("$VENV/bin/python" -m pip install -q)
  [ -n "$WHEELS" ] && PIP+=(--no-index --find-links "$WHEELS")
  "${PIP[@]}" torch==2.13.0 || { echo "gpu_check: torch==2.13.0 did not install" >&2; exit 3; }
  "${PIP[@]}" -e ".[dev]" || { echo "gpu_check: the package did not install" >&2; exit 3; }
  [ $GSPLAT = 1 ] && { "${PIP[@]}" gsplat || echo "gpu_check: gsplat did not install; its comparison is skipped"; }
  export PATH="$VENV/bin:$PATH"
fi
PY=$(command -v python); [ -x "$(dirname "$PY")/nbdev_test" ] && export PATH="$(dirname "$PY"):$PATH"
command -v nbdev_test >/dev/null || { echo "gpu_check: nbdev_test not found (install the package with .[dev])" >&2; exit 3; }
T_INSTALL=$(( $(date +%s) - T0 ))

if [ $SELFTEST = 1 ]; then
  export CUDA_VISIBLE_DEVICES=""            # the device is the CPU, whatever the machine has
  [ ${#NBS[@]} = 0 ] && NBS=(nbs/00_architectures.ipynb)
fi
[ ${#NBS[@]} = 0 ] && mapfile -t NBS < <(grep -l '"#| gpu' nbs/*.ipynb nbs/*/*.ipynb 2>/dev/null | sort)
[ ${#NBS[@]} = 0 ] && { echo "gpu_check: no notebook with a #| gpu cell" >&2; exit 2; }
[ "$JOBS" = 0 ] && JOBS=${#NBS[@]}
CORES=$(nproc 2>/dev/null || echo 2); THREADS=$(( CORES / JOBS )); [ $THREADS -lt 1 ] && THREADS=1

{ echo "date: $(date -u +%FT%TZ)"; echo "selftest: $SELFTEST"; echo "python: $PY"; nvidia-smi -L 2>/dev/null || echo "nvidia-smi: none"
  python -c "import torch, transformers, diffusers, peft; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else ''); print('transformers', transformers.__version__, 'diffusers', diffusers.__version__, 'peft', peft.__version__)" 2>&1
  python -c "import gsplat; print('gsplat', gsplat.__version__)" 2>/dev/null || echo "gsplat: not installed"
  echo "install: ${T_INSTALL}s; notebooks: ${#NBS[@]}, $JOBS at a time, $THREADS threads each, timeout ${TIMEOUT}s"; } > "$OUT/env.txt"
cat "$OUT/env.txt"

run_one() {   # one notebook: nbdev_test --flags gpu, its measurements in $WORK/<name>.jsonl
  local nb=$1 name; name=$(echo "$nb" | tr '/' '_' | sed 's/\.ipynb$//')
  local t0; t0=$(date +%s)
  WORLDBRIDGE_MEASUREMENTS="$WORK/$name.jsonl" OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS TOKENIZERS_PARALLELISM=false \
    HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 timeout "$TIMEOUT" nbdev_test --flags gpu --path "$nb" > "$WORK/$name.log" 2>&1
  echo "$nb $? $(( $(date +%s) - t0 ))" > "$WORK/$name.rc"
  echo "gpu_check: $nb done (rc $(cut -d' ' -f2 "$WORK/$name.rc"), $(( $(date +%s) - t0 ))s)"
}
export -f run_one; export WORK THREADS TIMEOUT
printf '%s\n' "${NBS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

WORK="$WORK" OUT="$OUT" T0="$T0" python - <<'PY'
import json, os, time
from pathlib import Path
work, out = Path(os.environ["WORK"]), Path(os.environ["OUT"])
rows, logs = [], []
for rc in sorted(work.glob("*.rc")):
    nb, code, secs = rc.read_text().split()
    code, name = int(code), rc.stem
    log = (work / f"{name}.log").read_text(errors="replace")
    ms = [json.loads(l) for l in (work / f"{name}.jsonl").read_text().splitlines() if l.strip()] if (work / f"{name}.jsonl").exists() else []
    status = "pass" if code == 0 else "timeout" if code == 124 else "fail"
    rows.append(dict(notebook=nb, status=status, rc=code, seconds=int(secs), measurements=ms))
    logs.append(f"===== {nb}: {status} (rc {code}, {secs}s)\n{log[-20000:]}\n")
n_pass = sum(r["status"] == "pass" for r in rows)
md = [f"# GPU check: {n_pass} passed, {len(rows) - n_pass} failed ({int(time.time()) - int(os.environ['T0'])} s in all)", "",
      (out / "env.txt").read_text(), "| notebook | result | seconds | measured steps |", "|---|---|---:|---:|"]
md += [f"| {r['notebook']} | {r['status']} | {r['seconds']} | {len(r['measurements'])} |" for r in rows]
md += ["", "| notebook | what | s/step | peak GiB | device |", "|---|---|---:|---:|---|"]
gib = lambda v: "" if v is None else f"{v:.2f}"
md += [f"| {r['notebook']} | {m['label']} | {m['step_s']:.4f} | {gib(m.get('peak_gib'))} | {m['device']} |"
       for r in rows for m in r["measurements"]]
for r in rows:
    if r["status"] != "pass":
        tail = next(l for l in logs if l.startswith(f"===== {r['notebook']}:")).splitlines()[-25:]
        md += ["", f"## {r['notebook']}: {r['status']}", "```", *tail, "```"]
(out / "summary.md").write_text("\n".join(md) + "\n")
(out / "summary.json").write_text(json.dumps(rows, indent=1) + "\n")
(out / "logs.txt").write_text("".join(logs))
print("\n".join(md[: 6 + len(rows) + 3 + sum(len(r["measurements"]) for r in rows)]))
print(f"{n_pass} passed, {len(rows) - n_pass} failed")
raise SystemExit(0 if n_pass == len(rows) else 1)
PY
