#!/usr/bin/env python
"""Same seeds, same outputs: subspace training, KAdaptation and FlexEControl on the one training loop and the one
Kronecker layer family, against the code they replaced.

Issue 18 (part 2) moved the training loops of `subspace` (`_train_loop`), `kadaptation` (`train_classifier`) and
`flexecontrol` (`train_control`) onto `worldbridge.training.train_loop`, and the Kronecker layers of `kadaptation`
(`KAdaptationLinear`) and `flexecontrol` (`KronWrapped`) onto `worldbridge.kronecker`. This script loads the modules as
they were at commit `BEFORE` (from git, into a temporary package) and runs old and new side by side on tiny models.
It prints the largest absolute difference of each output ('0' = bit-equal).

    python benchmarks/training_floor.py            # about a minute on one CPU thread
"""
import argparse, copy, importlib, sys, warnings
from pathlib import Path
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diffusion_floor import diff, state_diff
import diffusion_floor

BEFORE = "e8a139c"        # the last commit before the training loop and the Kronecker family moved to the foundation
OLD = ("__init__", "core", "world", "diffusion", "subspace", "kadaptation", "flexecontrol")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--commit", default=BEFORE)
    a = p.parse_args(argv)
    warnings.filterwarnings("ignore")
    diffusion_floor.OLD = OLD
    old = diffusion_floor.old_package(a.commit)
    O = {m: importlib.import_module(f"{old}.{m}") for m in ("core", "diffusion", "subspace", "kadaptation", "flexecontrol")}
    from peft import get_peft_model, LoraConfig
    from worldbridge import core, diffusion as D, subspace as SS, kadaptation as KA, flexecontrol as FX
    rows = []
    def row(name, value): rows.append((name, value)); print(f"{name:<72} {value:.3g}", flush=True)

    # subspace training and full fine-tuning: _train_loop -> train_loop (Adam, one-cycle, cycle)
    g = torch.Generator().manual_seed(0)
    X, Y = torch.randn(256, 10, generator=g), torch.randn(256, 10, generator=g)
    reg = lambda: (torch.manual_seed(0), nn.Linear(10, 10))[1]
    loss = lambda m, b: F.mse_loss(m(b["x"]), b["y"])
    for proj in ("dense", "fastfood"):
        ro = O["subspace"].train_subspace(reg(), 16, lambda: O["subspace"].tensor_batches(32, 0, x=X, y=Y), projection=proj, steps=50, lr=0.05, loss_fn=loss, progress=False)
        rn = SS.train_subspace(reg(), 16, lambda: SS.tensor_batches(32, 0, x=X, y=Y), projection=proj, steps=50, lr=0.05, loss_fn=loss, progress=False)
        row(f"train_subspace ({proj}): losses, z", max(diff(ro["losses"], rn["losses"]), diff(ro["model"].z, rn["model"].z)))
    fo = O["subspace"].train_full(reg(), lambda: O["subspace"].tensor_batches(32, 0, x=X, y=Y), steps=50, lr=0.01, loss_fn=loss, progress=False)
    fn = SS.train_full(reg(), lambda: SS.tensor_batches(32, 0, x=X, y=Y), steps=50, lr=0.01, loss_fn=loss, progress=False)
    row("train_full: losses, weights", max(diff(fo["losses"], fn["losses"]), state_diff(fo["model"], fn["model"])))

    # KAdaptation (Linear) and LoRA classifiers: train_classifier -> train_loop (AdamW, constant, random)
    px = torch.randn(64, 3, 32, 32, generator=g); lab = torch.randint(0, 4, (64,), generator=g)
    for method, cfg in (("kadaptation", dict(n=4, r=2)), ("kadaptation-pevit", dict(n=4)), ("lora", dict(r=4))):
        out = {}
        for tag, K in (("old", O["kadaptation"]), ("new", KA)):
            K.register_kadaptation()                       # PEFT's mapping points at this module's classes
            torch.manual_seed(0)                           # LoRA's initialisation draws from torch's global generator
            vit, _ = core.tiny_vit(num_labels=4, hidden_size=32, layers=2, seed=0)
            m = get_peft_model(vit, K.adapter_config(method, ["q_proj", "v_proj"], modules_to_save=["classifier"], init_seed=0, **cfg)
                               if method.startswith("kadaptation") else K.adapter_config(method, ["q_proj", "v_proj"], modules_to_save=["classifier"], **cfg))
            losses = K.train_classifier(m, px, lab, steps=30, lr=1e-2, batch_size=16, progress=False)
            with torch.no_grad(): logits = m(pixel_values=px).logits
            out[tag] = (losses, logits, K.trainable_parameters(m) if hasattr(K, "trainable_parameters") else None)
        row(f"train_classifier, {method}: losses, logits", max(diff(out["old"][0], out["new"][0]), diff(out["old"][1], out["new"][1])))
    O["kadaptation"].register_kadaptation()
    small = dict(n_train=64, n_test=32, size=32, hidden_size=32, layers=2, pretrain_steps=20, steps=20, methods=("linear", "lora", "kadaptation"), progress=False)
    torch.manual_seed(0); eo = O["kadaptation"].adaptation_experiment(**small)
    KA.register_kadaptation(); torch.manual_seed(0); en = KA.adaptation_experiment(**small)
    row("adaptation_experiment (small): accuracy, parameters, ranks", diff([(r["acc"], r["trainable"], r["rank"] or 0) for r in eo],
                                                                           [(r["acc"], r["trainable"], r["rank"] or 0) for r in en]))

    # FlexEControl: KronWrapped (flexecontrol -> kronecker) and train_control -> train_loop (AdamW, constant, cycle)
    for name, layer, x in (("Linear", nn.Linear(8, 12), torch.randn(2, 8, generator=g)),
                           ("Conv2d", nn.Conv2d(4, 8, 3, padding=1), torch.randn(2, 4, 6, 6, generator=g))):
        sh = nn.Parameter(torch.randn(3, 4, 4, generator=g))
        torch.manual_seed(0); ko = O["flexecontrol"].KronWrapped(copy.deepcopy(layer), sh)
        torch.manual_seed(0); kn = FX.KronWrapped(copy.deepcopy(layer), sh)
        with torch.no_grad(): ko.u.normal_(generator=torch.Generator().manual_seed(1)); kn.u.normal_(generator=torch.Generator().manual_seed(1))
        row(f"KronWrapped({name}): factors, output", max(state_diff(ko, kn), diff(ko(x), kn(x))))
    imgs = np.random.default_rng(0).integers(0, 256, (8, 16, 16, 3), dtype=np.uint8)
    pipe = D.tiny_sd_pipeline(8, 0); D.train_tiny_sd(pipe, imgs, ["a red cube"] * 4 + ["a blue ball"] * 4, vae_steps=3, unet_steps=3, batch_size=4, progress=False)
    res = {}
    for tag, F_ in (("old", O["flexecontrol"]), ("new", FX)):
        core.seed_everything(1)
        fp = F_.FlexEControlPipeline.from_sd(copy.deepcopy(pipe)); fp.set_progress_bar_config(disable=True)
        ds = F_.control_dataset(fp, range(1000, 1004))
        losses = F_.train_control(fp, F_._batches(ds, 2), steps=4, lambda_ca=1.0, progress=False)
        res[tag] = (losses, fp.controlnet, F_.evaluate_control(fp, ds, steps=3))
    row("train_control (lambda_ca=1): losses", diff(res["old"][0], res["new"][0]))
    row("   control branch weights", state_diff(res["old"][1], res["new"][1]))
    row("   evaluate_control images, edge F1, mask IoU", diff(res["old"][2], res["new"][2]))
    return rows


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
