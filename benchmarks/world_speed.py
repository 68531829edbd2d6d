#!/usr/bin/env python
"""`world make` throughput: scenes per second with the fast renderer (`worldbridge.world.raycast`) and the reference
renderer (`raycast_reference`, every ray against every object), for one and two worker processes, at 64 and 224 px,
measured side by side in one run (alternating, median of --reps), printed with the speed-ups and the projected time of
the benchmark preset (`bench224v2`: 500 scenes, 224 px, 32 frames).

    python benchmarks/world_speed.py [--scenes 6] [--reps 1] [--workers 1,2]

Each measurement is a whole `make_dataset` run into an empty directory (simulation, candidate questions with their
perturbed re-simulations, rendering, video encoding, JSON, selection and audit), scenes 0..--scenes-1 of seed 0. The reference runs swap `raycast` of `world.scene` and `world.questions` for `world.raycast_reference`
(forked workers inherit the swap). Both renderers' outputs are compared file by file at the end. Besides wall-clock
rates, CPU time per scene (this process and its workers) is printed: on a machine shared with other jobs it is the
steadier measure of the renderers' speed-up, while the wall-clock rate with 2 workers shows the parallel gain.
"""
import argparse, os, statistics, tempfile, time
from pathlib import Path
from worldbridge import world
from worldbridge.world import scene as world_scene, questions as world_questions

CONFIGS = ((64, 16), (224, 16), (224, 32))   # (image size, frames): the issue's two measurements and the preset's


def cpu_seconds():
    "CPU time of this process and its finished children (the pool's workers are joined when `make_dataset` returns)."
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def make(out, renderer, n, size, frames, workers):
    "(wall seconds, CPU seconds) of one `make_dataset` run of `n` scenes with `renderer` ('fast' | 'reference')."
    users = (world_scene, world_questions)   # the modules that call the renderer
    fast = world.raycast
    if renderer == "reference":
        for m in users: m.raycast = world.raycast_reference
    try:
        t0, c0 = time.perf_counter(), cpu_seconds()
        world.make_dataset(out, n=n, seed=0, progress=False, workers=workers, image_size=size, n_frames=frames)
        return time.perf_counter() - t0, cpu_seconds() - c0
    finally:
        for m in users: m.raycast = fast


def tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


def measure(tmp, scenes, reps, workers):
    "Wall-clock rates and CPU ms per scene for every (size, frames, workers, renderer); whether the renderers' outputs were the same."
    rate, cpu_ms, same, last, k = {}, {}, [], {}, 0
    world.make_dataset(tmp / "warm", n=1, progress=False, image_size=32, n_frames=2)   # imports, codec start-up
    for size, frames in CONFIGS:
        for w in workers:
            times, cpus = {"fast": [], "reference": []}, {"fast": [], "reference": []}
            for rep in range(reps):
                for r in (("fast", "reference") if rep % 2 == 0 else ("reference", "fast")):
                    k += 1; wall, cpu = make(tmp / f"{k}_{r}", r, scenes, size, frames, w)
                    times[r].append(wall); cpus[r].append(cpu); last[r] = tmp / f"{k}_{r}"
            same.append(tree(last["fast"]) == tree(last["reference"]))
            for r, ts in times.items():
                rate[size, frames, w, r] = scenes / statistics.median(ts)
                cpu_ms[size, frames, w, r] = 1000 * statistics.median(cpus[r]) / scenes
    return rate, cpu_ms, same


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenes", type=int, default=6, help="scenes per measurement (default 6)")
    p.add_argument("--reps", type=int, default=1, help="runs per measurement, median taken (default 1)")
    p.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    a = p.parse_args()
    workers = [int(w) for w in a.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="world_speed_") as tmp: rate, cpu_ms, same = measure(Path(tmp), a.scenes, a.reps, workers)
    print(f"world make: scenes/s, {a.scenes} scenes a run, median of {a.reps} run(s); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other jobs share them)")
    print(f"{'':<26}{'scenes/s (wall clock)':^30}{'':<12}{'CPU ms/scene':^26}")
    print(f"{'config':<18}{'workers':>8}{'reference':>11}{'fast':>9}{'fast/ref':>10}{'fast 1->N':>11}{'reference':>11}{'fast':>8}{'ref/fast':>10}")
    for size, frames in CONFIGS:
        for w in workers:
            ref, fast = rate[size, frames, w, "reference"], rate[size, frames, w, "fast"]
            scale = fast / rate[size, frames, workers[0], "fast"]
            cr, cf = cpu_ms[size, frames, w, "reference"], cpu_ms[size, frames, w, "fast"]
            print(f"{f'{size} px, {frames} frames':<18}{w:>8}{ref:>11.2f}{fast:>9.2f}{fast / ref:>9.1f}x{scale:>10.2f}x"
                  f"{cr:>11.0f}{cf:>8.0f}{cr / cf:>9.1f}x")
    n = world.PRESETS["bench224v2"]["n"]
    print(f"projected bench224v2 ({n} scenes, 224 px, 32 frames):")
    for w in workers:
        f, r = (n / rate[224, 32, w, x] for x in ("fast", "reference"))
        print(f"  {w} worker{'s' if w > 1 else ' '}: fast {f:6.0f} s ({f / 60:4.1f} min)   reference {r:6.0f} s ({r / 60:5.1f} min)")
    print("outputs of the two renderers identical (videos, ground truth, benchmark files): " + ("yes" if all(same) else f"NO ({same})"))


if __name__ == "__main__":
    main()
