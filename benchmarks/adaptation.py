#!/usr/bin/env python
"""KAdaptation against LoRA and LoKr (all three through PEFT), and the Fastfood subspace projection against the
previous transform, measured side by side in one run:

1. trainable parameters and rank of ΔW at equal budgets, with Q and V adapted in all 12 layers of ViT-B/16
   (counted by PEFT on the meta device; ranks of one 768×768 projection with random factors);
2. the training-step time of each method on the same model (ratios to LoRA at the same budget);
3. inference of the merged KAdaptation model against the base model (merging must leave no adapter cost behind);
4. Fastfood: `fwht` and a forward+backward projection step against the previous, allocating implementation (kept
   below as `fwht_alloc` / `FastfoodAlloc`), at D = 2^20 and 2^24, after checking `fwht` against a dense Hadamard
   product and the new projection (values and gradients) against the old one.

    python benchmarks/adaptation.py [--model vit|llama] [--hidden 256] [--layers 4] [--batch 16] [--r 4] [--n 4]
                                    [--steps 20] [--ff-logd 20,24] [--ff-reps 3] [--vitb-subspace] [--device cpu] [--threads 1]

The model is a random transformers ViT (or LLaMA-style decoder) built from a config, so it runs offline. Step times are
medians over --steps timed steps after two warm-up steps, the methods interleaved step by step so drift in machine
load hits all alike. --vitb-subspace adds one subspace-training step of a random ViT-B/16 (D = 85.8M, d = 1000) with
the previous and the new projection, each in its own process (time and peak memory)."""
import argparse, copy, json, math, resource, statistics, subprocess, sys, time
import warnings
import torch
import torch.nn.functional as F
from peft import get_peft_model
from worldbridge.kadaptation import adapter_config, default_targets, delta_weight_ranks
from worldbridge.training import trainable_parameters
from worldbridge.subspace import FastfoodProjection, fwht


def build(kind, hidden, layers, seed=0, image_size=64, patch_size=8, labels=10):
    from transformers import ViTConfig, ViTForImageClassification, LlamaConfig, LlamaForCausalLM
    torch.manual_seed(seed)
    if kind == "vit":
        return ViTForImageClassification(ViTConfig(image_size=image_size, patch_size=patch_size, hidden_size=hidden,
                                                   intermediate_size=4 * hidden, num_hidden_layers=layers,
                                                   num_attention_heads=max(1, hidden // 64), num_labels=labels)).eval()
    return LlamaForCausalLM(LlamaConfig(vocab_size=1000, hidden_size=hidden, intermediate_size=4 * hidden, num_hidden_layers=layers,
                                        num_attention_heads=max(1, hidden // 64), num_key_value_heads=max(1, hidden // 64))).eval()


def batch_for(kind, b, device):
    g = torch.Generator().manual_seed(0)
    if kind == "vit": return {"pixel_values": torch.randn(b, 3, 64, 64, generator=g).to(device), "labels": torch.randint(0, 10, (b,), generator=g).to(device)}
    ids = torch.randint(0, 1000, (b, 64), generator=g).to(device)
    return {"input_ids": ids, "labels": ids}


def timed(fn, device):
    if device.type == "cuda": torch.cuda.synchronize()
    t0 = time.perf_counter(); fn()
    if device.type == "cuda": torch.cuda.synchronize()
    return time.perf_counter() - t0


RANDOM_INIT = {"lora": dict(init_lora_weights=False), "lokr": dict(init_weights=False), "kadaptation": dict(init_weights=False)}


def equal_budgets(r, n):
    "label -> (method, config kwargs): LoRA rank r, and KAdaptation / LoKr spending the same budget on the weight update."
    return {f"LoRA r={r}": ("lora", dict(r=r)),
            f"KAdaptation n={n}, r={r}, no bias": ("kadaptation", dict(n=n, r=r, adapter_bias="none", init_seed=0)),
            f"KAdaptation n={n}, r={r} (bias offsets)": ("kadaptation", dict(n=n, r=r, init_seed=0)),
            f"LoKr factor {n}, r={n * r}": ("lokr", dict(r=n * r, decompose_factor=n))}


def vitb_budget_table(r_values=(1, 4, 8), n=4):
    "Rows (label, trainable, rank) for ViT-B/16 with Q and V adapted in all 12 layers."
    from transformers import ViTConfig, ViTForImageClassification
    cfg = dict(image_size=32, patch_size=16, hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_labels=10)
    with torch.device("meta"): full = ViTForImageClassification(ViTConfig(num_hidden_layers=12, **cfg))
    torch.manual_seed(0)
    one = ViTForImageClassification(ViTConfig(num_hidden_layers=1, **cfg))
    specs = {"KAdaptation defaults (n=4, r=1)": ("kadaptation", dict()),
             "KAdaptation n=32, r=1, rank-one A (paper-like)": ("kadaptation", dict(n=32, r=1, a_rank1=True)),
             "LoKr (PEFT default, r=8)": ("lokr", dict(r=8))}
    for r in r_values: specs.update(equal_budgets(r, n))
    rows = []
    for label, (method, kw) in specs.items():
        n_train = trainable_parameters(get_peft_model(copy.deepcopy(full), adapter_config(method, ["q_proj", "v_proj"], **kw)))
        one_m = get_peft_model(copy.deepcopy(one), adapter_config(method, ["q_proj"], **kw, **RANDOM_INIT[method]))
        rows.append((label, n_train, max(delta_weight_ranks(one_m).values())))
    return rows


# --- today's (previous) Fastfood transform, kept verbatim as the reference the new one is timed against ---------------
def fwht_alloc(x):
    n = x.shape[-1]
    shape, h = x.shape, 1
    x = x.reshape(-1, n)
    while h < n:
        y = x.view(-1, n // (2 * h), 2, h)
        x = torch.stack((y[:, :, 0] + y[:, :, 1], y[:, :, 0] - y[:, :, 1]), dim=2)
        h *= 2
    return x.reshape(shape)


class FastfoodAlloc(torch.nn.Module):
    def __init__(self, D, d, seed=0):
        super().__init__()
        self.D, self.d = D, d
        self.L = L = 1 << (d - 1).bit_length()
        nb = -(-D // L)
        g = torch.Generator().manual_seed(seed)
        self.register_buffer("B", (torch.randint(0, 2, (nb, L), generator=g) * 2 - 1).to(torch.int8), persistent=False)
        self.register_buffer("Pi", torch.argsort(torch.rand(nb, L, generator=g), dim=1).to(torch.int32), persistent=False)
        G = torch.randn(nb, L, generator=g)
        self.register_buffer("G", G, persistent=False)
        self.register_buffer("scale", 1 / (G.norm(dim=1, keepdim=True) * math.sqrt(D)), persistent=False)

    def forward(self, z):
        lead = z.shape[:-1]
        x = F.pad(z.reshape(-1, 1, self.d), (0, self.L - self.d))
        x = fwht_alloc(x * self.B.to(x.dtype))
        x = torch.gather(x, -1, self.Pi.long().expand(x.shape[0], -1, -1)) * self.G
        x = fwht_alloc(x) * self.scale
        return x.reshape(*lead, -1)[..., :self.D]


def hadamard(n):
    H = torch.ones(1, 1, dtype=torch.float64)
    while len(H) < n: H = torch.cat([torch.cat([H, H], 1), torch.cat([H, -H], 1)])
    return H


def fastfood_bench(logDs, d=1000, reps=5):
    "Checks, then {logD: (old transform s, new transform s, old step s, new step s)} (medians, interleaved)."
    x = torch.randn(8, 1024, dtype=torch.float64)
    err_h = (fwht(x) - x @ hadamard(1024).T).abs().max().item()
    assert err_h < 1e-9, f"fwht differs from the dense Hadamard product by {err_h}"
    old, new = FastfoodAlloc(2**16, d, seed=1), FastfoodProjection(2**16, d, seed=1)
    z1 = torch.randn(d, requires_grad=True)
    g = torch.randn(2**16)
    z2 = z1.detach().clone().requires_grad_()
    (old(z1) * g).sum().backward(); (new(z2) * g).sum().backward()
    err_p = (old(z1.detach()) - new(z1.detach())).abs().max().item()
    err_g = (z1.grad - z2.grad).abs().max().item()
    assert err_p < 1e-5 and err_g < 1e-4, (err_p, err_g)
    out = {"checks": (err_h, err_p, err_g)}
    for logD in logDs:
        D = 2 ** logD
        X = torch.randn(D // 1024, 1024)
        old_p, new_p = FastfoodAlloc(D, d, seed=0), FastfoodProjection(D, d, seed=0)
        z, gD = torch.randn(d, requires_grad=True), torch.randn(D)
        def step(p):
            z.grad = None
            p(z).backward(gD)
        ts = {k: [] for k in ("old_t", "new_t", "old_s", "new_s")}
        for i in range(reps + 1):
            for k, fn in (("old_t", lambda: fwht_alloc(X)), ("new_t", lambda: fwht(X)),
                          ("old_s", lambda: step(old_p)), ("new_s", lambda: step(new_p))):
                t = timed(fn, torch.device("cpu"))
                if i: ts[k].append(t)          # the first round warms up (and allocates the new one's buffers)
        out[logD] = tuple(statistics.median(ts[k]) for k in ("old_t", "new_t", "old_s", "new_s"))
    return out


def vitb_subspace_step(which="new", d=1000):
    "Seconds of one subspace-training step of a random ViT-B/16 (batch 2, 224 px; best of 2 after a warm-up) and the process's peak RSS in GB."
    from transformers import ViTConfig, ViTForImageClassification
    import worldbridge.subspace as S
    if which == "old": S.PROJECTIONS["fastfood"] = FastfoodAlloc
    torch.manual_seed(0)
    m = ViTForImageClassification(ViTConfig(num_labels=10)).eval()
    sm = S.subspace_wrap(m, d, projection="fastfood")
    x, y = torch.randn(2, 3, 224, 224), torch.tensor([1, 2])
    opt = torch.optim.Adam([sm.z], lr=1e-3)
    ts = []
    for _ in range(3):
        t0 = time.perf_counter()
        loss = sm(pixel_values=x, labels=y).loss
        opt.zero_grad(); loss.backward(); opt.step()
        ts.append(time.perf_counter() - t0)
    return sm.D, min(ts[1:]), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def vitb_subspace_compare():
    "The ViT-B/16 step with the previous and the new projection, each in a fresh process (so each peak is its own)."
    out = {}
    for which in ("old", "new"):
        r = subprocess.run([sys.executable, __file__, "--vitb-child", which], capture_output=True, text=True, check=True)
        out[which] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


def main(argv=None):
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")     # transformers' own deprecation notice
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=("vit", "llama"), default="vit")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--r", type=int, default=4, help="LoRA rank; KAdaptation's fast rank and LoKr's rank / n at the same budget")
    p.add_argument("--n", type=int, default=4, help="KAdaptation's Kronecker size (and LoKr's factor)")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--ff-logd", default="20,24", help="log2 of the Fastfood sizes D to time")
    p.add_argument("--ff-reps", type=int, default=3)
    p.add_argument("--vitb-subspace", action="store_true", help="also one ViT-B/16 subspace step, previous vs new projection (2-3 minutes, ~5 GB)")
    p.add_argument("--vitb-child", choices=("old", "new"), help=argparse.SUPPRESS)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0, help="torch threads on CPU (0: leave as is)")
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    if a.vitb_child:
        print(json.dumps(vitb_subspace_step(a.vitb_child))); return
    dev = torch.device(a.device)
    result = {}

    # 1. budgets at ViT-B/16 scale
    print("1. ViT-B/16, Q and V of all 12 layers: trainable parameters and rank of ΔW (one 768×768 projection, random factors)")
    rows = vitb_budget_table(n=a.n)
    lora = {l: t for l, t, _ in rows if l.startswith("LoRA")}
    print(f"   {'setting':<46} {'trainable':>10} {'/ LoRA r=4':>11} {'rank':>5}")
    for label, n_train, rank in rows:
        print(f"   {label:<46} {n_train:>10,} {n_train / lora['LoRA r=4']:>11.3f} {rank:>5}")
    result["vitb"] = rows

    # 2. training steps at equal budget, 3. merged inference
    x = batch_for(a.model, a.batch, dev)
    tm = default_targets(build(a.model, a.hidden, 1))
    specs = equal_budgets(a.r, a.n)
    models, opts = {}, {}
    for label, (method, kw) in specs.items():
        models[label] = get_peft_model(build(a.model, a.hidden, a.layers), adapter_config(method, tm, **kw)).to(dev).train()
        opts[label] = torch.optim.AdamW([q for q in models[label].parameters() if q.requires_grad], lr=1e-4)

    def step(k):
        loss = models[k](**x).loss
        opts[k].zero_grad(); loss.backward(); opts[k].step()

    times = {k: [] for k in models}
    for i in range(a.steps + 2):
        for k in models:
            t = timed(lambda: step(k), dev)
            if i >= 2: times[k].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    ranks = {k: max(delta_weight_ranks(m).values()) for k, m in models.items()}
    lora_k = f"LoRA r={a.r}"
    print(f"\n2. training step, model {a.model} hidden={a.hidden} layers={a.layers} batch={a.batch} on {dev} (targets {tm}, "
          f"{a.steps} timed steps, medians, interleaved; ranks of the trained ΔW)")
    print(f"   {'method':<36} {'trainable':>10} {'/ LoRA':>7} {'rank':>5} {'step ms':>9} {'/ LoRA':>7}")
    for k, m in models.items():
        n_train = trainable_parameters(m)
        print(f"   {k:<36} {n_train:>10,} {n_train / trainable_parameters(models[lora_k]):>7.3f} {ranks[k]:>5} "
              f"{1e3 * med[k]:>9.2f} {med[k] / med[lora_k]:>7.3f}")
    result["step_ratio"] = {k: med[k] / med[lora_k] for k in models}

    kad = models[f"KAdaptation n={a.n}, r={a.r} (bias offsets)"].eval()
    with torch.no_grad():
        for mod in kad.modules():                                   # a trained-looking adapter: non-zero bias offsets too
            for nm, q in mod.named_parameters(recurse=False):
                if "kadaptation_bias" in nm or nm.startswith("default"): q.normal_(0, 0.02)
        ref = kad(**x).logits
    merged = kad.merge_and_unload().eval()
    base = build(a.model, a.hidden, a.layers).to(dev).eval()
    with torch.no_grad():
        err = (merged(**x).logits - ref).abs().max().item()
        inf = {"merged": [], "base": []}
        for i in range(a.steps + 2):
            for k, m in (("merged", merged), ("base", base)):
                t = timed(lambda: m(**x), dev)
                if i >= 2: inf[k].append(t)
    mi = {k: statistics.median(v) for k, v in inf.items()}
    print(f"\n3. inference: merged KAdaptation {1e3 * mi['merged']:.2f} ms, base {1e3 * mi['base']:.2f} ms, ratio "
          f"{mi['merged'] / mi['base']:.3f}; merged vs unmerged outputs max |diff| {err:.2e}")
    result.update(merged_inference_ratio=mi["merged"] / mi["base"], merge_error=err)

    # 4. Fastfood
    logDs = [int(s) for s in a.ff_logd.split(",") if s]
    ff = fastfood_bench(logDs, reps=a.ff_reps)
    eh, ep, eg = ff["checks"]
    print(f"\n4. Fastfood (d=1000, L=1024; checks: fwht vs dense Hadamard {eh:.1e}, new vs previous projection {ep:.1e}, "
          f"gradients {eg:.1e}; medians of {a.ff_reps})")
    print(f"   {'D':>6} {'fwht before':>12} {'after':>9} {'speed-up':>9} {'fwd+bwd before':>15} {'after':>9} {'speed-up':>9}")
    for logD in logDs:
        ot, nt, os_, ns = ff[logD]
        print(f"   2^{logD:<4} {1e3 * ot:>10.1f}ms {1e3 * nt:>7.1f}ms {ot / nt:>8.2f}x {1e3 * os_:>13.1f}ms {1e3 * ns:>7.1f}ms {os_ / ns:>8.2f}x")
    result["fastfood"] = {logD: (ff[logD][0] / ff[logD][1], ff[logD][2] / ff[logD][3]) for logD in logDs}

    if a.vitb_subspace:
        r = vitb_subspace_compare()
        (D, t_old, m_old), (_, t_new, m_new) = r["old"], r["new"]
        print(f"\n   ViT-B/16 subspace step (D = {D:,}, d = 1000, batch 2 at 224 px): before {t_old:.1f} s, {m_old:.2f} GB peak; "
              f"after {t_new:.1f} s, {m_new:.2f} GB peak; speed-up {t_old / t_new:.2f}x")
        result["vitb_subspace"] = r
    return result


if __name__ == "__main__":
    main()
