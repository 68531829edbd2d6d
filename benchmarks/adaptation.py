#!/usr/bin/env python
"""KAdaptation vs LoRA (both PEFT) on the same model, measured side by side in one run:
trainable parameters KAdaptation / LoRA, training-step time KAdaptation / LoRA, and inference time of the merged
KAdaptation model / the base model (merging must leave no adapter cost behind).

    python benchmarks/adaptation.py [--model vit|llama] [--hidden 256] [--layers 4] [--batch 16] [--r 4] [--n 4]
                                    [--steps 20] [--device cpu] [--threads 1]

The model is a random transformers ViT (or LLaMA-style decoder) built from a config, so it runs offline; both
methods adapt the attention Q and V projections at the same rank r. Step times are medians over --steps timed
steps after two warm-up steps, the methods interleaved step by step so drift in machine load hits both alike."""
import argparse, time, statistics
import torch
from peft import get_peft_model, LoraConfig
from worldbridge.kadaptation import KAdaptationConfig, default_targets, trainable_parameters


def build(kind, hidden, layers, seed=0):
    from transformers import ViTConfig, ViTForImageClassification, LlamaConfig, LlamaForCausalLM
    torch.manual_seed(seed)
    if kind == "vit":
        return ViTForImageClassification(ViTConfig(image_size=64, patch_size=8, hidden_size=hidden, intermediate_size=4 * hidden,
                                                   num_hidden_layers=layers, num_attention_heads=max(1, hidden // 64), num_labels=10)).eval()
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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=("vit", "llama"), default="vit")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--r", type=int, default=4, help="rank of LoRA and of KAdaptation's fast factors")
    p.add_argument("--n", type=int, default=4, help="KAdaptation's Kronecker size")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=0, help="torch threads on CPU (0: leave as is)")
    a = p.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    x = batch_for(a.model, a.batch, dev)
    tm = default_targets(build(a.model, a.hidden, 1))
    models = {"kadaptation": get_peft_model(build(a.model, a.hidden, a.layers), KAdaptationConfig(n=a.n, r=a.r, target_modules=tm, init_seed=0)),
              "lora": get_peft_model(build(a.model, a.hidden, a.layers), LoraConfig(r=a.r, lora_alpha=a.r, target_modules=tm))}
    opts = {}
    for k, m in models.items():
        m.to(dev).train()
        opts[k] = torch.optim.AdamW([q for q in m.parameters() if q.requires_grad], lr=1e-4)

    def step(k):
        loss = models[k](**x).loss
        opts[k].zero_grad(); loss.backward(); opts[k].step()

    times = {k: [] for k in models}
    for i in range(a.steps + 2):
        for k in models:
            t = timed(lambda: step(k), dev)
            if i >= 2: times[k].append(t)
    params = {k: trainable_parameters(m) for k, m in models.items()}

    # inference: base model vs the KAdaptation model merged into it (same weights layout, no adapter layers left)
    kad = models["kadaptation"].eval()
    with torch.no_grad(): ref = kad(**x).logits
    merged = kad.merge_and_unload().eval()
    base = build(a.model, a.hidden, a.layers).to(dev).eval()
    with torch.no_grad():
        err = (merged(**x).logits - ref).abs().max().item()
        inf = {"merged": [], "base": []}
        for i in range(a.steps + 2):
            for k, m in (("merged", merged), ("base", base)):
                t = timed(lambda: m(**x), dev)
                if i >= 2: inf[k].append(t)
    med = {k: statistics.median(v) for k, v in {**times, **inf}.items()}

    print(f"model {a.model} hidden={a.hidden} layers={a.layers} batch={a.batch} r={a.r} n={a.n} on {dev} "
          f"(targets {tm}, {a.steps} timed steps, medians)")
    print(f"trainable params      KAdaptation {params['kadaptation']:>9,}  LoRA {params['lora']:>9,}  ratio {params['kadaptation'] / params['lora']:.3f}")
    print(f"train step            KAdaptation {1e3 * med['kadaptation']:8.2f} ms  LoRA {1e3 * med['lora']:8.2f} ms  ratio {med['kadaptation'] / med['lora']:.3f}")
    print(f"inference             merged      {1e3 * med['merged']:8.2f} ms  base {1e3 * med['base']:8.2f} ms  ratio {med['merged'] / med['base']:.3f}")
    print(f"merged vs unmerged outputs: max abs difference {err:.2e}")
    return {"params_ratio": params["kadaptation"] / params["lora"], "step_ratio": med["kadaptation"] / med["lora"],
            "merged_inference_ratio": med["merged"] / med["base"], "merge_error": err}


if __name__ == "__main__":
    main()
