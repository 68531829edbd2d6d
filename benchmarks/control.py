#!/usr/bin/env python
"""FlexEControl (one shared-Kronecker branch for K conditions) vs one diffusers ControlNet per condition:
trainable parameters, training memory and training-step time, printed as FlexEControl / ControlNets ratios.

    python benchmarks/control.py [--conditions 3] [--sample-size 16] [--batch 2] [--steps 10] [--model PATH_OR_HUB_ID]
                                 [--device cuda] [--threads 1]

Both control modules are built from the same UNet (the tiny random SD of `worldbridge.diffusion` by default, or the SD
pipeline given by --model, e.g. stable-diffusion-v1-5/stable-diffusion-v1-5 on a GPU) and trained side by side with the same
loss (masked diffusion loss, no cross-attention term) on the same random batch.
Memory: parameters + gradients + AdamW states of the trainable parameters, plus the activations saved for
backward in one training step (summed over unique tensors via `torch.autograd.graph.saved_tensors_hooks`);
on CUDA also the peak allocated memory of a training step."""
import argparse, time
import numpy as np
import torch
from worldbridge.diffusion import tiny_sd_pipeline
from worldbridge.flexecontrol import FlexEControlPipeline, FlexEControlBranch, PerConditionControlNets, control_loss, trainable_params

TYPES = ("edge", "depth", "segmentation")


def saved_activation_bytes(fn):
    "Run fn() (forward) and return (output, bytes of unique tensors saved for backward)."
    seen, total = set(), [0]
    def pack(t):
        key = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
        if key not in seen: seen.add(key); total[0] += key[1]
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, total[0]


def measure(pipe, batch, steps, device):
    params = [p for p in pipe.controlnet.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    g = torch.Generator().manual_seed(0)
    times, act = [], 0
    for i in range(steps + 1):
        if device.type == "cuda": torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        out, a = saved_activation_bytes(lambda: control_loss(pipe, batch, lambda_ca=0.0, generator=g))
        opt.zero_grad(); out["loss"].backward(); opt.step()
        if device.type == "cuda": torch.cuda.synchronize()
        if i: times.append(time.perf_counter() - t0)   # first step is warm-up
        act = max(act, a)
    n = sum(p.numel() for p in params)
    state = sum(p.numel() * p.element_size() for p in params) * 4     # weights + grads + 2 Adam moments
    peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else None
    return {"params": n, "state_bytes": state, "act_bytes": act, "mem_bytes": state + act,
            "step_s": float(np.median(times)), "cuda_peak": peak}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--conditions", type=int, default=3, help="number of conditions K (types cycle edge/depth/segmentation)")
    p.add_argument("--sample-size", type=int, default=16, help="latent side of the tiny model")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--steps", type=int, default=10, help="timed training steps (after one warm-up)")
    p.add_argument("--model", default=None, help="SD pipeline (hub id or path) instead of the tiny random one")
    p.add_argument("--device", default=None)
    p.add_argument("--threads", type=int, default=1, help="CPU threads (1 avoids spin-wait noise on a shared machine)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.conditions < 1: p.error("--conditions must be >= 1")
    device = torch.device(a.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if a.model:
        from diffusers import StableDiffusionPipeline
        sd = StableDiffusionPipeline.from_pretrained(a.model, safety_checker=None).to(device)
    else:
        sd = tiny_sd_pipeline(sample_size=a.sample_size, seed=0).to(device)
    vsf = sd.vae_scale_factor
    size = sd.unet.config.sample_size * vsf
    types = [TYPES[k % 3] for k in range(a.conditions)]
    g = torch.Generator().manual_seed(0)
    mask = torch.zeros(a.batch, size, size); mask[:, size // 4: 3 * size // 4, size // 4: 3 * size // 4] = 1
    batch = {"images": torch.rand(a.batch, 3, size, size, generator=g).to(device) * 2 - 1,
             "prompts": ["a red cube and a blue ball"] * a.batch,
             "conditions": torch.rand(a.batch, a.conditions, 3, size, size, generator=g).to(device),
             "types": types, "mask": mask.to(device)}
    res = {}
    for name, ctrl in [("FlexEControl", lambda: FlexEControlBranch.from_unet(sd.unet, vae_scale_factor=vsf)),
                       (f"{a.conditions}x ControlNet", lambda: PerConditionControlNets(sd.unet, a.conditions, vae_scale_factor=vsf))]:
        fp = FlexEControlPipeline.from_sd(sd, controlnet=ctrl().to(device))
        for m in (fp.unet, fp.vae, fp.text_encoder): m.requires_grad_(False)
        res[name] = measure(fp, batch, a.steps, device)
        del fp
        if device.type == "cuda": torch.cuda.empty_cache()
    (fn, f), (bn, b) = res.items()
    print(f"device={device} conditions={a.conditions} ({', '.join(types)}) batch={a.batch} image={size}px model={a.model or 'tiny'}")
    print(f"{'':28s}{fn:>16s}{bn:>16s}{'ratio':>10s}")
    rows = [("trainable params", "params", 1), ("train state MB (w+g+Adam)", "state_bytes", 2**20),
            ("saved activations MB", "act_bytes", 2**20), ("training memory MB", "mem_bytes", 2**20),
            ("step time ms (median)", "step_s", 1e-3)]
    if device.type == "cuda": rows.append(("CUDA peak MB", "cuda_peak", 2**20))
    for label, k, div in rows:
        print(f"{label:28s}{f[k] / div:16,.2f}{b[k] / div:16,.2f}{f[k] / b[k]:10.3f}")
    return res


if __name__ == "__main__":
    main()
