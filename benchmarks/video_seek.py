#!/usr/bin/env python
"""Seek vs decode-all: time to sample N frames from a long video with `worldbridge.eval.sample_frames`
(keyframe seeking) against decoding every frame and picking N (what naive video loaders do).

    python benchmarks/video_seek.py [--minutes 5] [--fps 30] [--size 128] [--gop 60] [--frames 8] [--repeat 3]

Both are measured side by side in one run, on the same generated H.264 video, and must return identical frames."""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import av
from worldbridge.eval import make_test_video, sample_frames, seek_frames, decode_all_frames, frame_indices, video_info


def decode_all_no_rgb(path):
    "Decode every frame but convert none (a lower bound for any decode-everything loader)."
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def best_of(fn, repeat):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t0)
    return min(ts), out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=5.0, help="video length (default 5 min)")
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--size", type=int, default=128, help="frame side in pixels")
    p.add_argument("--gop", type=int, default=60, help="keyframe interval in frames (60 = 2 s at 30 fps, typical)")
    p.add_argument("--frames", type=int, default=8, help="frames to sample")
    p.add_argument("--repeat", type=int, default=3, help="best of this many timings")
    p.add_argument("--video", default=None, help="use this video instead of generating one")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if a.video: path = Path(a.video)
        else:
            n = int(a.minutes * 60 * a.fps)
            t0 = time.perf_counter()
            path = make_test_video(Path(tmp) / "long.mp4", n_frames=n, fps=a.fps, size=a.size, gop=a.gop)
            print(f"generated {n} frames ({a.minutes:g} min at {a.fps} fps, {a.size}px, keyframe every {a.gop}) in {time.perf_counter() - t0:.1f} s")
        info = video_info(path)
        idx = frame_indices(info["n_frames"], a.frames)
        from worldbridge.eval import frames as E
        def seek_nocache():
            E._MEM.clear(); return sample_frames(path, a.frames, decoder="seek")
        t_seek, seek = best_of(seek_nocache, a.repeat)
        t_all, full = best_of(lambda: decode_all_frames(path)[idx], a.repeat)
        t_dec, _ = best_of(lambda: decode_all_no_rgb(path), a.repeat)
        assert np.array_equal(seek, full), "seek and decode-all disagree"
        st = {}; seek_frames(path, idx, stats=st)
        print(f"video: {info['n_frames']} frames, {info['duration']:.0f} s; sampling {a.frames} frames at indices {idx.tolist()}")
        print(f"seek (sample_frames)        : {t_seek * 1e3:9.1f} ms   ({st['decoded']} frames decoded, {st['seeks']} seeks)")
        print(f"decode-all + pick           : {t_all * 1e3:9.1f} ms   ({info['n_frames']} frames decoded)")
        print(f"decode-all, no RGB (bound)  : {t_dec * 1e3:9.1f} ms")
        print(f"ratio decode-all / seek     : {t_all / t_seek:9.1f}x   (vs decode-only bound: {t_dec / t_seek:.1f}x)")
        print("identical frames: yes")
    return t_all / t_seek


if __name__ == "__main__":
    main()
