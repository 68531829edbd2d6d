"""KAdaptation's rows in PEFT's own test suite, as a pytest plugin (`-p kadaptation_rows`).

PEFT's `tests/test_custom_models.py` and `tests/test_config.py` parametrize their behavioural tests over module-level
lists (`TEST_CASES`, `MULTIPLE_ACTIVE_ADAPTERS_TEST_CASES`, `MIXED_ADAPTER_TEST_CASES`, `ALL_CONFIG_CLASSES`, ...).
This plugin adds KAdaptation's entries to those lists once the test module is imported and before its tests are
generated, so PEFT's files run unchanged (`tools/peft_suite/run.py` fetches them from PEFT's sdist).
The rows sit beside LoKr's on the same custom models; `n` is chosen to divide every adapted layer's matrix view.
"""
from __future__ import annotations
import pytest
from _pytest.mark.structures import Mark

from worldbridge.kadaptation import KAdaptationConfig

K = KAdaptationConfig
# (test name, model id of PEFT's MockTransformerWrapper, config class, config kwargs)
TEST_CASES = [
    ("Vanilla MLP 1 KADAPTATION", "MLP", K, {"target_modules": "lin0", "n": 2}),
    ("Vanilla MLP 2 KADAPTATION", "MLP", K, {"target_modules": ["lin0"], "n": 2}),
    ("Vanilla MLP 3 KADAPTATION", "MLP", K, {"target_modules": ["lin1"], "n": 2}),
    ("Vanilla MLP 4 KADAPTATION", "MLP", K, {"target_modules": ["lin0", "lin1"], "n": 2}),
    ("Vanilla MLP 5 KADAPTATION", "MLP", K, {"target_modules": ["lin0"], "n": 2, "modules_to_save": ["lin1"]}),
    ("Vanilla MLP 6 KADAPTATION", "MLP", K, {"target_modules": ["lin0"], "n": 5, "r": 2, "scaling": 2.0,
                                            "dropout": 0.1}),
    ("Vanilla MLP 7 KADAPTATION", "MLP", K, {"target_modules": ["lin0", "lin1"], "n": 2, "share_slow": "target",
                                            "a_rank1": True, "slow_init": 0.1}),
    ("Vanilla MLP 8 KADAPTATION", "MLP", K, {"target_modules": ["lin0", "lin1"], "n": 2, "share_slow": "none",
                                            "adapter_bias": "none"}),
    ("Vanilla MLP 9 KADAPTATION", "MLP", K, {"target_modules": ["lin0"], "n": 2, "dropout": 0.5,
                                            "dropout_on": "delta"}),
    ("Vanilla MLP 10 KADAPTATION", "MLP", K, {"target_modules": ["lin0"], "n": 10, "init_seed": 0}),
    ("Embedding + transformers Conv1D 1 KADAPTATION", "EmbConv1D", K, {"target_modules": ["conv1d"], "n": 1}),
    # scaling 4 on the embedding alone: at 1 its factors move by < 1e-4 in test_only_params_are_updated's 3 SGD steps at
    # lr 0.5 (the tolerance), ~1e-3 at 4 (that test raises the lr of other methods for the same reason)
    ("Embedding + transformers Conv1D 2 KADAPTATION", "EmbConv1D", K, {"target_modules": ["emb"], "n": 1,
                                                                       "scaling": 4.0}),
    ("Embedding + transformers Conv1D 3 KADAPTATION", "EmbConv1D", K, {"target_modules": ["emb"], "n": 5, "r": 2,
                                                                       "scaling": 4.0}),
    ("Embedding + transformers Conv1D 4 KADAPTATION", "EmbConv1D", K, {"target_modules": ["emb", "conv1d"], "n": 1}),
    ("Conv1d 1 KADAPTATION", "Conv1d", K, {"target_modules": ["conv1d"], "n": 1}),
    ("Conv1d 2 KADAPTATION", "Conv1dBigger", K, {"target_modules": ["conv1d"], "n": 4, "r": 2}),
    ("Conv1d Groups KADAPTATION", "Conv1dGroups", K, {"target_modules": ["conv1d"], "n": 2}),
    ("Conv2d 1 KADAPTATION", "Conv2d", K, {"target_modules": ["conv2d"], "n": 5}),
    ("Conv2d 2 KADAPTATION", "Conv2d", K, {"target_modules": ["conv2d", "lin0"], "n": 1}),
    ("Conv2d 3 KADAPTATION", "Conv2d2", K, {"target_modules": ["conv2d", "lin0"], "n": 2, "r": 2}),
    ("Conv2d 1x1 KADAPTATION", "Conv2d1x1", K, {"target_modules": ["conv2d"], "n": 1}),
    ("Conv2d Groups KADAPTATION", "Conv2dGroups", K, {"target_modules": ["conv2d", "lin0"], "n": 2}),
    ("Conv2d Groups2 KADAPTATION", "Conv2dGroups2", K, {"target_modules": ["conv2d"], "n": 4}),
    ("Conv3d 1 KADAPTATION", "Conv3d", K, {"target_modules": ["conv3d"], "n": 5}),
    ("Conv3d 1x1 KADAPTATION", "Conv3d1x1", K, {"target_modules": ["conv3d"], "n": 5}),
]

# (test name, tuner method, config class, kwargs of adapter 1, kwargs of adapter 2), on PEFT's MLP
MULTIPLE_ACTIVE_ADAPTERS_TEST_CASES = [
    ("KAdaptation Same", "kadaptation", K, {"target_modules": ["lin0"], "n": 2, "init_weights": False},
     {"target_modules": ["lin0"], "n": 2, "init_weights": False}),
    ("KAdaptation Different", "kadaptation", K, {"target_modules": ["lin0"], "n": 2, "init_weights": False},
     {"target_modules": ["lin1"], "n": 2, "init_weights": False}),
]

def _mixed():
    return [("KAdaptation mixed adapter", K(target_modules=["lin0"], n=2, init_weights=False),
             K(target_modules=["lin0"], n=5, r=2, init_weights=False))]

CONFIG_CLASSES = [(K, {})]   # test_config.py: (config class, mandatory kwargs)


def _extend(module) -> dict:
    "Add the rows to `module`'s lists in place; returns `{id(old list or tuple): new one}` for the marks to rewrite."
    swaps = {}
    def grow(name, rows):
        old = getattr(module, name, None)
        if old is None: return
        if isinstance(old, list): old.extend(rows)
        else:                                          # a tuple: the marks hold the old object, rewritten below
            new = type(old)(list(old) + list(rows)); setattr(module, name, new); swaps[id(old)] = new
    name = module.__name__.rpartition(".")[2]
    if name == "test_custom_models":
        grow("TEST_CASES", TEST_CASES)
        grow("MULTIPLE_ACTIVE_ADAPTERS_TEST_CASES", MULTIPLE_ACTIVE_ADAPTERS_TEST_CASES)
        grow("MIXED_ADAPTER_TEST_CASES", _mixed())
        grow("ALL_PEFT_CONFIG_CLASSES", [K])
        grow("ALL_PEFT_CONFIG_CASES", [TEST_CASES[0]])
        grow("MODULES_TO_SAVE_TEST_CASES",
             [next(c for c in TEST_CASES if c[1] == "MLP" and c[3].get("modules_to_save"))])
    elif name == "test_config":
        grow("ALL_CONFIG_CLASSES", CONFIG_CLASSES)
    return swaps

_done: dict = {}

def _model_filter_rows(values, test_cases) -> list | None:
    "Rows to add to an inline filter of TEST_CASES by one model id (`[c for c in TEST_CASES if c[1] == 'Conv2d']`)."
    if not isinstance(values, list) or not values or values is test_cases: return None
    if not all(isinstance(c, tuple) and len(c) == 4 and c in test_cases for c in values): return None
    models = {c[1] for c in values}
    if len(models) != 1: return None
    return [c for c in TEST_CASES if c[1] in models and c not in values]

@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    module = metafunc.module
    if module.__name__ not in _done: _done[module.__name__] = _extend(module)
    swaps, test_cases = _done[module.__name__], getattr(module, "TEST_CASES", None)
    marks = metafunc.definition.own_markers
    for i, m in enumerate(marks):
        if m.name != "parametrize" or len(m.args) < 2: continue
        names, values = m.args[0], m.args[1]
        new = swaps.get(id(values))
        inline = not any(values is v for v in vars(module).values())      # not one of the module's named lists
        rows = names == "test_name, model_id, config_cls, config_kwargs"
        if new is None and inline and rows and test_cases is not None:
            extra = _model_filter_rows(values, test_cases)
            if extra: new = list(values) + extra
        if new is not None: marks[i] = Mark(m.name, (names, new, *m.args[2:]), m.kwargs, _ispytest=True)


# ---- selection by method, the Hub-only tests, and the per-method summary ----

# PEFT's tests that fetch a model or config from the Hugging Face Hub: they fail offline for every method alike
# (with HF_HUB_OFFLINE=1, or without network, as in CI), so they are deselected and counted apart.
HUB_TESTS = {   # test_config.py, each `from_pretrained("peft-internal-testing/tiny-opt-lora-revision", revision=...)`
    "test_from_pretrained", "test_from_pretrained_cache_dir", "test_save_pretrained_with_runtime_config",
}

def pytest_addoption(parser):
    g = parser.getgroup("kadaptation_rows")
    g.addoption("--peft-methods", default="KAdaptationConfig,LoKrConfig",
                help="config classes whose parametrized tests run, comma-separated "
                     "(e.g. KAdaptationConfig,LoKrConfig,LoraConfig)")
    g.addoption("--peft-summary", default=None, help="write the per-method counts here as JSON")

def method_of(item) -> str | None:
    "The config class a test item is parametrized with (`config_cls`, `config_class`, or a config instance), by name."
    params = getattr(getattr(item, "callspec", None), "params", {})
    for v in params.values():
        if isinstance(v, type) and v.__name__.endswith("Config"): return v.__name__
    for v in params.values():
        if type(v).__name__.endswith("Config") and hasattr(v, "peft_type"): return type(v).__name__
    return None

_methods: dict = {}
_outcomes: dict = {}
_skip_reasons: dict = {}
_hub_deselected: list = []

def pytest_collection_modifyitems(session, config, items):
    wanted = set(config.getoption("--peft-methods").split(","))
    keep, drop = [], []
    for it in items:
        m = method_of(it)
        if m in wanted and it.name.split("[")[0] in HUB_TESTS: _hub_deselected.append(it.nodeid); drop.append(it)
        elif m in wanted: _methods[it.nodeid] = m; keep.append(it)
        else: drop.append(it)
    if drop: config.hook.pytest_deselected(items=drop)
    items[:] = keep

_RANK = {"passed": 0, "skipped": 1, "failed": 2}

def pytest_runtest_logreport(report):
    m = _methods.get(report.nodeid)
    if m is None: return
    out = "skipped" if report.skipped or hasattr(report, "wasxfail") else report.outcome
    if report.when != "call" and out == "passed": out = None                     # setup/teardown passing says nothing
    if out is None and report.nodeid in _outcomes: return
    prev = _outcomes.get(report.nodeid)
    out = out or "passed"
    if prev is None or _RANK[out] > _RANK[prev]: _outcomes[report.nodeid] = out
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skip_reasons.setdefault(m, {}).setdefault(reason, []).append(report.nodeid)

def summary() -> dict:
    "`{method: {'passed': n, 'failed': n, 'skipped': n}}` of this run."
    res = {}
    for nid, out in _outcomes.items():
        d = res.setdefault(_methods[nid], {"passed": 0, "failed": 0, "skipped": 0}); d[out] += 1
    return res

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    import json
    res = summary()
    cols = [m for m in config.getoption("--peft-methods").split(",") if m in res]
    w = terminalreporter.write_line
    w(""); w("PEFT's own tests, per method (passed / failed / skipped):")
    w("| | " + " | ".join({"LoraConfig": "LoRA"}.get(c, c.removesuffix("Config")) for c in cols) + " |")
    w("|---|" + "---|" * len(cols))
    cell = lambda c: f"{res[c]['passed']} / {res[c]['failed']} / {res[c]['skipped']}"
    w("| passed / failed / skipped | " + " | ".join(cell(c) for c in cols) + " |")
    if _hub_deselected:
        w(f"deselected, need the Hugging Face Hub (fail offline for every method): {len(_hub_deselected)} "
          f"({', '.join(sorted(HUB_TESTS))})")
    for c in cols:
        fails = sorted(n for n, o in _outcomes.items() if o == "failed" and _methods[n] == c)
        if fails: w(f"{c} failed ({len(fails)}):"); [w(f"  {n}") for n in fails]
    path = config.getoption("--peft-summary")
    if path:
        with open(path, "w") as f:
            json.dump({"counts": res, "hub_deselected": _hub_deselected,
                       "failed": {n: _methods[n] for n, o in _outcomes.items() if o == "failed"},
                       "skip_reasons": {m: {r: len(v) for r, v in d.items()} for m, d in _skip_reasons.items()},
                       "outcomes": {n: [_methods[n], o] for n, o in _outcomes.items()}}, f, indent=1)
