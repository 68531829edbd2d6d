#!/usr/bin/env python
"""Tiled vs dense Gaussian rasterizer (`worldbridge.scene4d.rasterize`): time per frame, forward and forward+backward,
measured side by side in one run (alternating, median of --reps), printed as dense / tiled speed-ups, with the share of
Gaussian-pixel pairs the tiles touch and how far the tiled image and gradients are from the dense ones.

    python benchmarks/rasterizer.py [--gaussians 5000] [--size 64] [--reps 3] [--tile 4] [--min-alpha 1e-5]
                                    [--sweep 500,1000,2000] [--threads 1] [--device cpu]

The scene is procedural-world scene 3 (`worldbridge.world.make_scene(3)`) initialised by `init_from_scene` with about
--gaussians Gaussians (30% on a ground grid, the rest on the objects' surfaces), at frame 2 from the second orbit camera,
with random colours and opacities (logit ~ N(1, 1.5)), float32. Two scale settings:
  "surface": object Gaussians shrunk as 1/sqrt(density) from `init_from_scene`'s 40 per object, so they tile the
             surfaces as after densification (the usual case);
  "init":    the scales `init_from_scene` gives at 40 per object kept at every density: heavily overlapping blobs,
             the hard case for culling.
"""
import argparse, math, time
import numpy as np
import torch
from worldbridge import world
from worldbridge.scene4d import init_from_scene, camera_arrays, rasterize, tile_lists, _project

KEYS = ("means", "quats", "scales", "opacities", "colors")


def scene_gaussians(n, size, shrink=True, seed=3, device="cpu"):
    "About `n` Gaussians of a procedural-world scene and the camera `(K, R, t, H, W)`."
    sc = world.make_scene(seed, n_frames=4, image_size=size)
    grid = max(2, int(round(math.sqrt(0.3 * n))))
    per = max(1, (n - grid * grid) // len(sc.objects))
    m = init_from_scene(sc, n_per_object=per, ground_grid=grid, seed=seed)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if shrink: m.log_scales[m.labels >= 0] += 0.5 * math.log(40 / per)
        m.color_logits.copy_(torch.randn(m.color_logits.shape, generator=g) * 1.5)
        m.opacity_logits.copy_(torch.randn(m.opacity_logits.shape, generator=g) * 1.5 + 1.0)
        p = m.params(2)
    K, R, t, H, W = camera_arrays(world.orbit_cameras(4, size)[1], size)
    return {k: p[k].detach().to(device) for k in KEYS}, (K.to(device), R.to(device), t.to(device), H, W), m.bg.to(device)


def run(backend, g, cam, bg, backward, **kw):
    K, R, t, H, W = cam
    if not backward:
        with torch.no_grad(): return rasterize(**g, K=K, R=R, t=t, height=H, width=W, bg=bg, backend=backend, **kw), None
    p = {k: v.clone().requires_grad_(True) for k, v in g.items()}
    out = rasterize(**p, K=K, R=R, t=t, height=H, width=W, bg=bg, backend=backend, **kw)
    (out["image"].sum() + out["alpha"].sum()).backward()
    return out, {k: v.grad for k, v in p.items()}


def timed(fn, sync):
    sync(); t0 = time.perf_counter(); fn(); sync()
    return time.perf_counter() - t0


def compare(g, cam, bg, reps, tile, min_alpha, sync):
    "Median seconds of dense and tiled, forward and forward+backward, alternating runs; plus the accuracy numbers."
    kw = dict(tile=tile, min_alpha=min_alpha)
    res = {}
    for backward in (False, True):
        ts = {"dense": [], "tiled": []}
        for i in range(reps + 1):                      # the first round is a warm-up
            for b in ("dense", "tiled"):
                dt = timed(lambda: run(b, g, cam, bg, backward, **kw), sync)
                if i: ts[b].append(dt)
        res["fwd+bwd" if backward else "fwd"] = {b: float(np.median(v)) for b, v in ts.items()}
    (od, gd), (ot, gt) = run("dense", g, cam, bg, True), run("tiled", g, cam, bg, True, **kw)
    K, R, t, H, W = cam
    pg = _project(*(g[k] for k in KEYS), K, R, t, 0.05, 0.3)
    _, counts = tile_lists(pg, H, W, tile, min_alpha)
    res["pairs"] = float(counts.sum()) * tile * tile / (len(pg["z"]) * H * W)
    res["image_err"] = float((ot["image"] - od["image"]).detach().abs().max())
    res["grad_err"] = max(float((gt[k] - gd[k]).abs().max() / gd[k].abs().max().clamp_min(1e-30)) for k in gd)
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gaussians", type=int, default=5000)
    p.add_argument("--size", type=int, default=64, help="image side (pixels)")
    p.add_argument("--reps", type=int, default=3, help="timed rounds per path (after one warm-up round)")
    p.add_argument("--tile", type=int, default=4)
    p.add_argument("--min-alpha", type=float, default=1e-5)
    p.add_argument("--sweep", default="", help="extra Gaussian counts, comma-separated (surface scales only)")
    p.add_argument("--threads", type=int, default=1, help="CPU threads (1 avoids spin-wait noise on a shared machine)")
    p.add_argument("--device", default="cpu", help="cpu, or cuda (the torch paths on the GPU; gsplat is not used)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)
    print(f"device={a.device} threads={a.threads} image={a.size}x{a.size} tile={a.tile} min_alpha={a.min_alpha:g} "
          f"reps={a.reps} (median; dense and tiled alternate)")
    print(f"{'scene':>10s} {'N':>6s} {'pairs':>7s} | {'dense fwd':>10s} {'tiled fwd':>10s} {'speed-up':>9s} | "
          f"{'dense f+b':>10s} {'tiled f+b':>10s} {'speed-up':>9s} | {'max|dimg|':>9s} {'max|dgrad|':>10s}")
    runs = [("surface", a.gaussians, True), ("init", a.gaussians, False)]
    runs += [("surface", int(n), True) for n in a.sweep.split(",") if n.strip()]
    out = []
    for name, n, shrink in runs:
        g, cam, bg = scene_gaussians(n, a.size, shrink, device=a.device)
        r = compare(g, cam, bg, a.reps, a.tile, a.min_alpha, sync)
        f, fb = r["fwd"], r["fwd+bwd"]
        print(f"{name:>10s} {len(g['means']):6d} {r['pairs']:7.1%} | {f['dense']:9.3f}s {f['tiled']:9.3f}s "
              f"{f['dense'] / f['tiled']:8.1f}x | {fb['dense']:9.3f}s {fb['tiled']:9.3f}s {fb['dense'] / fb['tiled']:8.1f}x | "
              f"{r['image_err']:9.1e} {r['grad_err']:10.1e}", flush=True)
        out.append(dict(scene=name, n=len(g["means"]), **r))
    print("pairs: share of the dense Gaussian x pixel pairs inside the tiles' lists; max|dimg|: largest image difference, "
          "max|dgrad|: largest gradient difference relative to the largest dense gradient (over the 5 inputs).")
    return out


if __name__ == "__main__":
    main()
