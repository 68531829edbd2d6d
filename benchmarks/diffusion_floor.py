#!/usr/bin/env python
"""Same seeds, same outputs: the generative methods on `worldbridge.diffusion` against the code they replaced.

Issue 18 (part 1) moved the tiny pipelines, their training, the latent scaling, the attention capture and the token
spans of FlexEControl, Mojito, Discffusion and structured generation into `worldbridge.diffusion`. This script loads the
modules as they were at commit `BEFORE` (from git, into a temporary package) and runs old and new side by side on tiny
models: trainers, training with the attention loss, guided sampling, scores and small end-to-end experiments. It prints
the largest absolute difference of each output ('0' = bit-equal).

    python benchmarks/diffusion_floor.py            # about a minute on one CPU thread
"""
import argparse, importlib, subprocess, sys, tempfile, warnings
from pathlib import Path
import numpy as np
import torch

BEFORE = "297becf"        # the last commit before the diffusion floor
OLD = ("__init__", "core", "world", "subspace", "kadaptation", "clipworld", "graph_transformer", "flexecontrol", "mojito",
       "discffusion", "structured_generation")


def old_package(commit: str = BEFORE) -> str:
    "Write the modules of `commit` as a package `wb_old` in a temporary directory on `sys.path`; returns its name."
    root = Path(__file__).resolve().parents[1]
    d = Path(tempfile.mkdtemp()) / "wb_old"; d.mkdir()
    for m in OLD:
        src = subprocess.run(["git", "show", f"{commit}:worldbridge/{m}.py"], cwd=root, capture_output=True, text=True, check=True).stdout
        (d / f"{m}.py").write_text(src.replace("from worldbridge.", "from wb_old.").replace("from worldbridge import", "from wb_old import"))
    sys.path.insert(0, str(d.parent))
    return "wb_old"


def diff(a, b) -> float:
    "Largest absolute difference of two outputs (tensors, arrays, numbers, or lists/dicts of them)."
    if isinstance(a, dict): return max([diff(a[k], b[k]) for k in a] or [0.0])
    if isinstance(a, (list, tuple)): return max([diff(x, y) for x, y in zip(a, b)] or [0.0])
    a, b = (np.asarray(x.detach().cpu() if torch.is_tensor(x) else x, dtype=np.float64) for x in (a, b))
    d = np.where(np.isnan(a) & np.isnan(b), 0.0, np.abs(a - b))          # NaN on both sides (e.g. no object found) agrees
    return float(d.max()) if d.size else 0.0


def state_diff(m1, m2) -> float:
    s1, s2 = m1.state_dict(), m2.state_dict()
    return max(diff(s1[k], s2[k]) for k in s1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--commit", default=BEFORE)
    a = p.parse_args(argv)
    warnings.filterwarnings("ignore")
    old = old_package(a.commit)
    O = {m: importlib.import_module(f"{old}.{m}") for m in ("core", "flexecontrol", "mojito", "discffusion", "structured_generation")}
    from worldbridge import core, diffusion as D, flexecontrol as FX, mojito as MJ, discffusion as DF, structured_generation as SG
    rows = []
    def row(name, value): rows.append((name, value)); print(f"{name:<72} {value:.3g}", flush=True)
    imgs = np.random.default_rng(0).integers(0, 256, (8, 16, 16, 3), dtype=np.uint8)
    caps = ["a red cube"] * 4 + ["a blue ball"] * 4

    # tiny pipelines
    row("tiny_sd_pipeline weights (core -> diffusion)", state_diff(O["core"].tiny_sd_pipeline(8, 0).unet, D.tiny_sd_pipeline(8, 0).unet))
    core.seed_everything(0); ov = O["mojito"].tiny_video_pipeline(sample_size=8, seed=0, vae_factor=4)
    core.seed_everything(0); nv = MJ.MojitoPipeline.from_video_pipeline(D.tiny_video_pipeline(sample_size=8, seed=0, vae_factor=4))
    row("tiny video pipeline weights: UNet3D, VAE, intensity embedding", max(state_diff(ov.unet, nv.unet), state_diff(ov.vae, nv.vae), state_diff(ov.intensity, nv.intensity)))

    # FlexEControl's trainers -> train_tiny_sd
    core.seed_everything(0); po = O["core"].tiny_sd_pipeline(8, 0)
    lo = O["flexecontrol"].train_vae(po.vae, imgs, steps=5, batch_size=4, progress=False) + O["flexecontrol"].train_unet(po, imgs, caps, steps=5, batch_size=4, progress=False)
    core.seed_everything(0); pn = D.tiny_sd_pipeline(8, 0)
    h = D.train_tiny_sd(pn, imgs, caps, vae_steps=5, unet_steps=5, batch_size=4, progress=False)
    row("train_vae + train_unet -> train_tiny_sd: losses", diff(lo, h["vae"] + h["unet"]))
    row("   weights (UNet, VAE) and latent scale", max(state_diff(po.unet, pn.unet), state_diff(po.vae, pn.vae), abs(po.vae.config.scaling_factor - pn.vae.config.scaling_factor)))

    # FlexEControl: training with the cross-attention loss (AttnProbe -> RecordingAttnProcessor) and controlled sampling
    res = {}
    for tag, F_, pipe in (("old", O["flexecontrol"], po), ("new", FX, pn)):
        core.seed_everything(1)
        fp = F_.FlexEControlPipeline.from_sd(pipe); fp.set_progress_bar_config(disable=True)
        ds = F_.control_dataset(fp, range(1000, 1004))
        losses = F_.train_control(fp, F_._batches(ds, 2), steps=4, lambda_ca=1.0, progress=False)
        ev = F_.evaluate_control(fp, ds, steps=3)
        res[tag] = (losses, fp.controlnet, ev)
    row("train_control (lambda_ca=1): losses", diff(res["old"][0], res["new"][0]))
    row("   control branch weights", state_diff(res["old"][1], res["new"][1]))
    row("   evaluate_control images, edge F1, mask IoU", diff(res["old"][2], res["new"][2]))
    core.seed_everything(0); eo = O["flexecontrol"].controllability_experiment(n_train=8, n_test=2, vae_steps=3, unet_steps=3, control_steps=3, batch_size=4, progress=False)
    core.seed_everything(0); en = FX.controllability_experiment(n_train=8, n_test=2, vae_steps=3, unet_steps=3, control_steps=3, batch_size=4, progress=False)
    keys = ["no control", "FlexEControl", "3x ControlNet"]
    row("controllability_experiment (small): losses, metrics, images", max(diff(eo["losses"], en["losses"]), max(diff({k: v for k, v in eo[m].items()}, {k: v for k, v in en[m].items()}) for m in keys)))

    # Mojito: trainer, DMC guidance (AttnProbe -> RecordingAttnProcessor), the experiment
    vids = np.random.default_rng(1).integers(0, 256, (4, 3, 32, 32, 3), dtype=np.uint8)
    so = O["mojito"].set_latent_scale(ov, vids); sn = D.set_latent_scale(nv.vae, vids, batch_size=16)
    lato, latn = O["mojito"].encode_videos(ov, vids), D.encode_latents(nv.vae, vids, batch_size=16)
    row("set_latent_scale, encode_videos -> encode_latents (16 frames per call)", max(abs(so - sn), diff(lato, latn)))
    kw = dict(steps=4, batch_size=2, intensity_lr=1e-2, p_uncond=0.5, progress=False)
    # (both see the same global RNG state, as in the experiment: the UNet3D's training draws from it)
    core.seed_everything(0); lo = O["mojito"].train_video(ov, lato, ["a red ball"] * 4, [0, 1, 2, 3], **kw)
    core.seed_everything(0); ln = MJ.train_video(nv, latn, ["a red ball"] * 4, [0, 1, 2, 3], **kw)
    row("train_video -> train_denoiser: losses", diff(lo, ln))
    row("   weights (UNet3D, intensity embedding)", max(state_diff(ov.unet, nv.unet), state_diff(ov.intensity, nv.intensity)))
    traj = [(0, 8, 12, 20), (20, 8, 32, 20)]
    for p_ in (ov, nv): p_.set_progress_bar_config(disable=True)
    def g(): core.seed_everything(0); return torch.Generator().manual_seed(0)
    row("sampling without DMC (latents)", diff(ov("a red ball", num_frames=3, num_inference_steps=4, intensity=2, generator=g(), output_type="latent"),
                                               nv("a red ball", num_frames=3, num_inference_steps=4, intensity=2, generator=g(), output_type="latent")))
    row("sampling with DMC (latents): temporal attention now on diffusers' default processor",
        diff(ov("a red ball", num_frames=3, num_inference_steps=4, boxes=traj, token="ball", generator=g(), output_type="latent"),
             nv("a red ball", num_frames=3, num_inference_steps=4, boxes=traj, token="ball", generator=g(), output_type="latent")))
    row("dmc_effect (energies, centroid errors)", diff(O["mojito"].dmc_effect(ov, "a red ball", "ball", traj, 3), MJ.dmc_effect(nv, "a red ball", "ball", traj, 3)))
    d = MJ.dmc_effect(nv, "a red ball", "ball", traj, 3)
    row("   (energy before, for scale)", d["energy_before"])
    small = dict(n_train=8, n_test=2, n_frames=3, vae_steps=3, vae_batch_size=8, unet_steps=3, batch_size=4, n_level_test=4, steps=3,
                 intensity_scales=(1.0, 3.0), progress=False)
    core.seed_everything(0); mo = O["mojito"].mojito_experiment(**small)
    core.seed_everything(0); mn = MJ.mojito_experiment(**small)
    row("mojito_experiment (small): losses, latent scale, intensity results", max(diff(mo["losses"], mn["losses"]), abs(mo["latent_scale"] - mn["latent_scale"]),
        max(diff(mo["intensity"][s]["pairs"], mn["intensity"][s]["pairs"]) for s in (1.0, 3.0)), diff(mo["level_denoise"]["errors"], mn["level_denoise"]["errors"])))
    row("   trajectory errors with and without DMC (px; NaN where no object is found in both)", diff(mo["trajectory_error_px"], mn["trajectory_error_px"]))

    # structured generation: the processor as a subclass of the recording one
    ps = D.tiny_sd_pipeline(16, 0)
    bx = [(0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 1.0, 1.0)]
    for m in SG.METHODS:
        kw = dict(boxes=bx, num_inference_steps=4, guide_steps=[0, 1], guide_iters=2, guide_lr=1e3, colors=("red", "blue"), return_info=True)
        io, fo = O["structured_generation"].generate(ps, "a red cube and a blue ball", m, generator=g(), **kw)
        inew, fn = SG.generate(ps, "a red cube and a blue ball", m, generator=g(), **kw)
        row(f"structured generate({m!r}): image, layout energies", max(diff(io, inew), diff(fo["energy"], fn["energy"])))

    # Discffusion: LogitAttnProcessor -> RecordingAttnProcessor (logits by baddbmm, as Attention.get_attention_scores)
    sco, scn = O["discffusion"].DiscffusionScorer(ps, timesteps=(200, 600)), DF.DiscffusionScorer(ps, timesteps=(200, 600))
    im3 = np.random.default_rng(2).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    c3 = ["a red cube to the left of a blue ball", "a blue ball", "a small green cylinder"]
    ro, rn = sco(im3, c3, parts=True), scn(im3, c3, parts=True)
    row("Discffusion scores (attn, gap, score) on the same model", diff(ro, rn))
    return rows


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
