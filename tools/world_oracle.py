#!/usr/bin/env python
"""Independent oracle for worldbridge's procedural world benchmark, version 2 (the spec: physics and question meaning).

Usage:
    python tools/world_oracle.py DIR            # check every DIR/scenes/*.json; exit 1 on any disagreement
    python tools/world_oracle.py DIR --robust 8 # also re-answer each question under 8 random perturbations
    python tools/world_oracle.py --selftest     # hand-computed physics and question cases, no dataset needed

It is written from the spec alone (it imports no worldbridge code) so that it can serve as the test oracle of the
generator. The simulator is exact and event-driven: between contacts velocities are constant, so the time of the next
contact is found analytically (a quadratic for two discs, slab intervals for two squares, faces plus corner circles
for a disc and a square, a division for a wall); all objects advance to it, the contact is resolved (elastic exchange
along the spec's normal; a held object has infinite mass), and the loop repeats. Contacts already touching are
resolved at once only while approaching, so resting and grazing contacts produce no spurious events; a cap on the
number of events guards against loops. `check_dataset(dir)` recomputes every released question's answer and the
stored event lists and returns the counts; the CLI prints one line per family and `N agree, M disagree`.
Library use: `from world_oracle import simulate, check_dataset` (numpy and the standard library only).
"""
from __future__ import annotations
import argparse, glob, json, math, os, random, sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

WALLS = ("left", "right", "front", "back")  # x=-A, x=+A, y=-A, y=+A
DIRECTIONS = ("right", "left", "away from the camera", "towards the camera")
TOL_GAP = 1e-9      # footprints closer than this are "touching"
EPS_U = 1e-12       # a normal relative speed above this is "approaching"
TOL_EVENT = 1e-6    # seconds: stored and recomputed event times must agree within this
MAX_EVENTS = 20000  # a simulation with more contacts than this is reported as an error (guards against loops)


class SimulationError(RuntimeError): pass


# ----------------------------------------------------------------------------------------------------------- bodies
@dataclass
class Body:
    id: object
    kind: str
    r: float
    x: float
    y: float
    vx: float
    vy: float
    held: bool = False

    @property
    def square(self): return self.kind == "cube"
    @property
    def mass(self): return math.inf if self.held else self.r ** 3


def bodies_from(objects, held=None):
    "Bodies from a scene's `objects` (z ignored); the object with id `held` gets infinite mass and zero velocity."
    out = []
    for o in objects:
        h = held is not None and str(o["id"]) == str(held)
        vx, vy = (0.0, 0.0) if h else (float(o["vel"][0]), float(o["vel"][1]))
        out.append(Body(o["id"], o["kind"], float(o["radius"]), float(o["pos"][0]), float(o["pos"][1]), vx, vy, h))
    return out


# -------------------------------------------------------------------------------------------- contact geometry
def _gap_normal(a: Body, b: Body, dt=0.0):
    "Gap between the footprints of `a` and `b` after `dt`, and the spec's contact normal (unit, pointing a -> b)."
    ax, ay, bx, by = a.x + a.vx * dt, a.y + a.vy * dt, b.x + b.vx * dt, b.y + b.vy * dt
    if not a.square and not b.square:                      # disc-disc: centre to centre
        dx, dy = bx - ax, by - ay
        d = math.hypot(dx, dy)
        return d - a.r - b.r, ((dx / d, dy / d) if d > 0 else (1.0, 0.0))
    if a.square and b.square:                              # square-square: the axis of the faces in contact
        dx, dy, s = bx - ax, by - ay, a.r + b.r
        if abs(dx) >= abs(dy): return abs(dx) - s, (math.copysign(1.0, dx), 0.0)
        return abs(dy) - s, (0.0, math.copysign(1.0, dy))
    if a.square:                                           # square-disc: the disc-square normal, reversed
        g, (nx, ny) = _gap_normal(b, a, dt)
        return g, (-nx, -ny)
    # disc a, square b: face normal when the disc centre is within the face's span, else from the nearest corner
    h, px, py = b.r, ax - bx, ay - by                      # disc centre relative to the square centre
    if abs(px) <= h and abs(py) <= h:                      # centre inside the square (deep overlap): least exit
        if h - abs(px) <= h - abs(py): n, g = (math.copysign(1.0, px), 0.0), -(h - abs(px)) - a.r
        else: n, g = (0.0, math.copysign(1.0, py)), -(h - abs(py)) - a.r
    elif abs(py) <= h: n, g = (math.copysign(1.0, px), 0.0), abs(px) - h - a.r
    elif abs(px) <= h: n, g = (0.0, math.copysign(1.0, py)), abs(py) - h - a.r
    else:
        qx, qy = px - math.copysign(h, px), py - math.copysign(h, py)
        d = math.hypot(qx, qy)
        n, g = (qx / d, qy / d), d - a.r
    return g, (-n[0], -n[1])                               # n pointed square -> disc; we return disc(a) -> square(b)


def _circle_entry(px, py, wx, wy, rad):
    "First t > 0 at which the point p + w t reaches distance `rad` from the origin while moving inward, or None."
    a = wx * wx + wy * wy
    if a == 0: return None
    b = px * wx + py * wy
    c = px * px + py * py - rad * rad
    disc = b * b - a * c
    if disc <= 0: return None                              # missing or grazing (touches with zero normal speed)
    t = (-b - math.sqrt(disc)) / a
    return t if t > 0 else None


def _slab(d, w, s):
    "Time interval during which |d + w t| < s (open), as (t_in, t_out), or None when never."
    if w == 0: return (-math.inf, math.inf) if abs(d) < s else None
    t1, t2 = (-s - d) / w, (s - d) / w
    return (t1, t2) if t1 < t2 else (t2, t1)


def _entry_time(a: Body, b: Body):
    "First time t > 0 at which the (currently separated) footprints of `a` and `b` touch, or None."
    px, py, wx, wy = b.x - a.x, b.y - a.y, b.vx - a.vx, b.vy - a.vy   # b relative to a
    if wx == 0 and wy == 0: return None
    if not a.square and not b.square: return _circle_entry(px, py, wx, wy, a.r + b.r)
    if a.square and b.square:
        s = a.r + b.r
        ix, iy = _slab(px, wx, s), _slab(py, wy, s)
        if ix is None or iy is None: return None
        t_in, t_out = max(ix[0], iy[0]), min(ix[1], iy[1])
        return t_in if 0 < t_in < t_out - 1e-12 else None
    if b.square: a, b, px, py, wx, wy = b, a, -px, -py, -wx, -wy       # now a is the square, b the disc
    h, r, best = a.r, b.r, None                            # disc centre p + w t vs the square inflated by r
    for axis in (0, 1):
        p, w, q, u = (px, wx, py, wy) if axis == 0 else (py, wy, px, wx)
        if w == 0: continue
        side = -math.copysign(1.0, w)                      # the face the disc moves towards
        t = (side * (h + r) - p) / w
        if t > 0 and abs(q + u * t) <= h and (best is None or t < best): best = t
    for cx in (-h, h):
        for cy in (-h, h):
            t = _circle_entry(px - cx, py - cy, wx, wy, r)
            if t is None: continue
            qx, qy = px + wx * t, py + wy * t              # the hit is a corner contact only outside both spans
            if qx * cx >= 0 and qy * cy >= 0 and abs(qx) >= h - 1e-12 and abs(qy) >= h - 1e-12:
                if best is None or t < best: best = t
    return best


def _pair_time(a: Body, b: Body):
    "Time from now of the next contact of `a` and `b` (0 when touching and approaching now), or None."
    if a.held and b.held: return None
    g, n = _gap_normal(a, b)
    if g <= TOL_GAP:   # touching (or overlapping) now: a contact only while approaching; a convex pair that is
        u = (a.vx - b.vx) * n[0] + (a.vy - b.vy) * n[1]    # separating or sliding never touches again
        return 0.0 if u > EPS_U else None
    t = _entry_time(a, b)
    if t is None: return None
    g, n = _gap_normal(a, b, t)
    u = (a.vx - b.vx) * n[0] + (a.vy - b.vy) * n[1]
    return t if u > EPS_U else None


def _wall_times(o: Body, arena):
    "(time from now, wall name) of each wall that `o` moves towards."
    out = []
    if o.vx < 0: out.append((max(0.0, (o.x - o.r + arena) / -o.vx), "left"))
    if o.vx > 0: out.append((max(0.0, (arena - o.r - o.x) / o.vx), "right"))
    if o.vy < 0: out.append((max(0.0, (o.y - o.r + arena) / -o.vy), "front"))
    if o.vy > 0: out.append((max(0.0, (arena - o.r - o.y) / o.vy), "back"))
    return out


def _resolve_pair(a: Body, b: Body):
    "Elastic exchange along the contact normal (a held body stays still and the other reflects fully)."
    _, (nx, ny) = _gap_normal(a, b)
    u = (a.vx - b.vx) * nx + (a.vy - b.vy) * ny
    if u <= 0: return
    if b.held: ka, kb = 2.0, 0.0
    elif a.held: ka, kb = 0.0, 2.0
    else: ka, kb = 2 * b.mass / (a.mass + b.mass), 2 * a.mass / (a.mass + b.mass)
    a.vx, a.vy = a.vx - ka * u * nx, a.vy - ka * u * ny
    b.vx, b.vy = b.vx + kb * u * nx, b.vy + kb * u * ny


# ------------------------------------------------------------------------------------------------- simulation
@dataclass
class Sim:
    "The result of `simulate`: `events` (dicts like the scene JSON's), `states`: (time, {id: (vx, vy)}) after each."
    ids: list
    events: list = field(default_factory=list)
    states: list = field(default_factory=list)
    positions: list = field(default_factory=list)  # (time, {id: (x, y)}) at each entry of `states`

    def velocity(self, oid, t):
        "Velocity of `oid` at time t: right after any contact at exactly t."
        v = self.states[0][1][oid]
        for s_t, vel in self.states:
            if s_t <= t: v = vel[oid]
            else: break
        return v

    def events_of(self, oid):
        return [e for e in self.events if any(str(i) == str(oid) for i in e["ids"])]


def simulate(objects, arena, t_end, held=None, max_events=MAX_EVENTS) -> Sim:
    "Exact event-driven simulation of `objects` (scene JSON dicts) in walls at +-`arena` until `t_end`."
    bodies = bodies_from(objects, held)
    sim, t = Sim([b.id for b in bodies]), 0.0
    snap = lambda: {b.id: (b.vx, b.vy) for b in bodies}
    sim.states.append((0.0, snap()))
    sim.positions.append((0.0, {b.id: (b.x, b.y) for b in bodies}))
    for _ in range(max_events):
        best = None                                        # (dt, kind, i, j_or_wall): ties go to the first found
        for i, a in enumerate(bodies):
            for dt, wall in _wall_times(a, arena):
                if best is None or dt < best[0]: best = (dt, "wall", i, wall)
            for j in range(i + 1, len(bodies)):
                dt = _pair_time(a, bodies[j])
                if dt is not None and (best is None or dt < best[0]): best = (dt, "collision", i, j)
        if best is None or t + best[0] > t_end: return sim
        dt, kind, i, k = best
        for b in bodies: b.x, b.y = b.x + b.vx * dt, b.y + b.vy * dt
        t += dt
        a = bodies[i]
        if kind == "wall":
            if k in ("left", "right"): a.vx = -a.vx
            else: a.vy = -a.vy
            sim.events.append({"type": "wall", "ids": [a.id], "wall": k, "time": t})
        else:
            _resolve_pair(a, bodies[k])
            sim.events.append({"type": "collision", "ids": [a.id, bodies[k].id], "time": t})
        sim.states.append((t, snap()))
        sim.positions.append((t, {b.id: (b.x, b.y) for b in bodies}))
    raise SimulationError(f"more than {max_events} contacts before t={t:.6f}")


# -------------------------------------------------------------------------------------------------- questions
def direction(v):
    "The spec's direction word of a ground-plane velocity."
    vx, vy = v
    if abs(vx) >= abs(vy): return "right" if vx > 0 else "left"
    return "away from the camera" if vy > 0 else "towards the camera"


def _norm(s): return " ".join(str(s).lower().strip().rstrip(".").split())


def _word_index(options, word):
    "Index of the option that is the direction word (exact match after normalising case and spaces), or None."
    hits = [k for k, o in enumerate(options) if _norm(o) == word]
    return hits[0] if len(hits) == 1 else None


def _same(a, b): return str(a) == str(b)


def _first_collision(sim, t0, t1):
    return next((e for e in sim.events if e["type"] == "collision" and t0 <= e["time"] <= t1), None)


class Scene:
    "One scene JSON with its simulations (cached per held object)."
    def __init__(self, d):
        self.d, cfg = d, d["config"]
        self.T, self.fps, self.A = int(cfg["n_frames"]), float(cfg["fps"]), float(cfg["arena"])
        self.D = (self.T - 1) / self.fps
        horizon = [2 * self.T / self.fps, self.D + 1.0]
        for q in d.get("questions", []):
            for key in ("t1", "time"):
                if isinstance(q.get("spec", {}).get(key), (int, float)): horizon.append(float(q["spec"][key]))
        self.t_end = max(horizon) + 0.5
        self._sims = {}

    def sim(self, held=None):
        if held not in self._sims: self._sims[held] = simulate(self.d["objects"], self.A, self.t_end, held=held)
        return self._sims[held]


def answer(scene: Scene, q):
    "The oracle's option index for question `q` (None when no option fits), and the value it means."
    fam, spec, opts, sim = q["family"], q["spec"], q["options"], scene.sim()
    if fam in ("direction", "direction_end", "direction_future"):
        if fam == "direction" and spec.get("object") is None:
            hits = [k for k, o in enumerate(opts) if _norm(o) not in DIRECTIONS]
            return (hits[0] if len(hits) == 1 else None), "no such object"
        w = direction(sim.velocity(spec["object"], float(spec["time"])))
        return _word_index(opts, w), w
    if fam == "count_kind":
        n = sum(o["kind"] == spec["kind"] for o in scene.d["objects"])
        return _num_index(opts, n), n
    if fam == "count_moving":
        t0, t1 = float(spec["t0"]), float(spec["t1"])
        moving = set()
        for oid in sim.ids:
            speeds = [math.hypot(*sim.velocity(oid, t0))]
            speeds += [math.hypot(*vel[oid]) for s_t, vel in sim.states if t0 <= s_t <= t1]
            if max(speeds) > 1e-12: moving.add(oid)
        return _num_index(opts, len(moving)), len(moving)
    if fam in ("count_collisions", "cf_count"):
        s = scene.sim(spec["held"]) if fam == "cf_count" else sim
        t0, t1 = float(spec.get("t0", 0.0)), float(spec["t1"])
        n = sum(e["type"] == "collision" and t0 <= e["time"] <= t1 for e in s.events)
        return _num_index(opts, n), n
    if fam == "cf_first":
        e = _first_collision(scene.sim(spec["held"]), 0.0, float(spec["t1"]))
        key = None if e is None else sorted(map(str, e["ids"]))
        hits = [k for k, p in enumerate(spec["pairs"]) if (p is None and key is None)
                or (p is not None and key is not None and sorted(map(str, p)) == key)]
        return (hits[0] if len(hits) == 1 else None), key
    if fam == "future_hit":
        oid, t0, t1 = spec["object"], float(spec["t0"]), float(spec["t1"])
        e = next((e for e in sim.events_of(oid) if t0 < e["time"] <= t1), None)
        hit = "nothing" if e is None else "wall" if e["type"] == "wall" else \
            next(i for i in e["ids"] if not _same(i, oid))
        hits = [k for k, tg in enumerate(spec["targets"]) if _same(tg, hit)]
        return (hits[0] if len(hits) == 1 else None), hit
    if fam == "order":
        times = []
        for ev in spec["events"]:
            ids = sorted(map(str, ev["ids"]))
            t = next((e["time"] for e in sim.events if e["type"] == ev["type"] and e["time"] <= scene.D
                      and sorted(map(str, e["ids"])) == ids), None)
            times.append(t)
        happened = [(t, k) for k, t in enumerate(times) if t is not None]
        return (min(happened)[1] if happened else None), [None if t is None else round(t, 6) for t in times]
    if fam == "explanation":
        oid, t = spec["object"], float(spec["time"])
        near = [e for e in sim.events_of(oid) if abs(e["time"] - t) <= 0.15]
        if not near: return None, "no contact within 0.15 s"
        e = min(near, key=lambda e: abs(e["time"] - t))
        cause = "wall" if e["type"] == "wall" else next(i for i in e["ids"] if not _same(i, oid))
        hits = [k for k, c in enumerate(spec["causes"]) if _same(c, cause)]
        return (hits[0] if len(hits) == 1 else None), cause
    raise KeyError(f"unknown family {fam!r}")


def text_agrees(scene: Scene, q, value):
    """Whether the stored answer's text says what the oracle's `value` means, read through the scene's `names`
    (for the families whose spec lists map options to meanings); None when the family has no such reading.
    A disagreement whose text agrees points at a spec list that is not aligned with the options."""
    names = {str(k): _norm(v) for k, v in scene.d.get("names", {}).items()}
    ans, fam = _norm(q["answer"]), q["family"]
    if fam == "cf_first":
        if value is None: return "no two objects" in ans or "no " in ans and "collide" in ans
        a, b = (names.get(str(i), "?") for i in value)
        return ans in (f"{a} and {b}", f"{b} and {a}")
    if fam in ("future_hit", "explanation"):
        if value == "nothing": return ans.startswith("nothing")
        if value == "wall": return "wall" in ans
        return ans.endswith(names.get(str(value), "?"))
    if fam == "order":
        happened = [(t, k) for k, t in enumerate(value) if t is not None]
        if not happened: return False
        ev = q["spec"]["events"][min(happened)[1]]
        who = [names.get(str(i), "?") for i in ev["ids"]]
        if ev["type"] == "wall": return ans.startswith(who[0]) and "wall" in ans
        return ans.startswith((f"{who[0]} and {who[1]}", f"{who[1]} and {who[0]}"))
    return None


def _num_index(options, n):
    hits = [k for k, o in enumerate(options) if _norm(o) == str(n)]
    return hits[0] if len(hits) == 1 else None


# ---------------------------------------------------------------------------------------------- event lists
def compare_events(stored, mine, lo, hi, tol=TOL_EVENT):
    """Match stored events to recomputed ones with time in [lo, hi] by (type, ids as a set, wall) and time within
    `tol`. Recomputed events within `tol` of the window's ends are optional. Returns (missing, extra) lists."""
    key = lambda e: (e["type"], tuple(sorted(map(str, e["ids"]))), e.get("wall"))
    pool = [e for e in mine if lo - tol <= e["time"] <= hi + tol]
    used, missing = [False] * len(pool), []
    for s in stored:
        k = next((k for k, e in enumerate(pool) if not used[k] and key(e) == key(s)
                  and abs(e["time"] - float(s["time"])) <= tol), None)
        if k is None: missing.append(s)
        else: used[k] = True
    extra = [e for k, e in enumerate(pool) if not used[k] and lo + tol < e["time"] < hi - tol]
    return missing, extra


def perturb(objects, rng, dpos=0.01, dspeed=0.01):
    "A copy of `objects` with positions moved by up to +-dpos and speeds scaled by up to +-dspeed (spec's tolerance)."
    out = []
    for o in objects:
        o = json.loads(json.dumps(o))
        o["pos"] = [o["pos"][0] + rng.uniform(-dpos, dpos), o["pos"][1] + rng.uniform(-dpos, dpos)] + o["pos"][2:]
        s = 1 + rng.uniform(-dspeed, dspeed)
        o["vel"] = [o["vel"][0] * s, o["vel"][1] * s] + o["vel"][2:]
        out.append(o)
    return out


def check_dataset(dir, robust=0, seed=0, verbose=False) -> dict:
    """Recompute the answer of every question in `dir`/scenes/*.json and the stored event lists.
    Returns {checked, agree, disagree: [(scene, index, family, stored, oracle)], by_family: {family: [agree, n]},
    events: {checked, bad: [(scene, "missing"|"extra", event)]}, errors, fragile}."""
    files = sorted(glob.glob(os.path.join(dir, "scenes", "*.json")))
    res = dict(checked=0, agree=0, disagree=[], by_family=defaultdict(lambda: [0, 0]),
               events=dict(checked=0, bad=[]), errors=[], fragile=[])
    rng = random.Random(seed)
    for f in files:
        name = os.path.splitext(os.path.basename(f))[0]
        d = json.load(open(f))
        try: sc = Scene(d); sim = sc.sim()
        except SimulationError as e:
            res["errors"].append((name, str(e))); continue
        ev_windows = [("events", 0.0, sc.D), ("future_events", sc.D, (2 * sc.T - 1) / sc.fps)]
        for key, lo, hi in ev_windows:
            if key not in d: continue
            res["events"]["checked"] += len(d[key])
            missing, extra = compare_events(d[key], sim.events, lo, hi)
            res["events"]["bad"] += [(name, f"{key}: stored, not recomputed", e) for e in missing]
            res["events"]["bad"] += [(name, f"{key}: recomputed, not stored", e) for e in extra]
        for k, q in enumerate(d.get("questions", [])):
            fam = q["family"]
            try: got, value = answer(sc, q)
            except (SimulationError, KeyError, StopIteration) as e: got, value = None, f"error: {e!r}"
            res["checked"] += 1
            res["by_family"][fam][1] += 1
            ok = got == q["label"] and (got is None or q["options"][got] == q["answer"])
            if ok:
                res["agree"] += 1; res["by_family"][fam][0] += 1
            else:
                note = {True: "; stored answer TEXT agrees with the oracle: spec list not aligned with options",
                        False: "; stored answer text disagrees too", None: ""}[text_agrees(sc, q, value)]
                res["disagree"].append((name, k, fam, f"{q['label']}: {q['answer']}",
                                        f"{got}: {q['options'][got] if got is not None else '-'} ({value}){note}"))
            if robust and fam not in ("count_kind",):
                for _ in range(robust):
                    d2 = dict(d, objects=perturb(d["objects"], rng))
                    try: g2, v2 = answer(Scene(d2), q)
                    except SimulationError as e: g2, v2 = None, str(e)
                    if g2 != got:
                        res["fragile"].append((name, k, fam, f"{got}", f"{g2} ({v2})")); break
    res["by_family"] = dict(res["by_family"])
    return res


# ------------------------------------------------------------------------------------------------- self-tests
def _obj(i, kind, r, pos, vel):
    return {"id": i, "kind": kind, "radius": r, "pos": list(pos) + [0.0], "vel": list(vel) + [0.0]}


def _close(a, b, tol=1e-9): return abs(a - b) <= tol


def _vclose(v, w, tol=1e-9): return all(_close(x, y, tol) for x, y in zip(v, w))


def selftest():
    "Hand-computed cases; raises AssertionError on the first failure."
    tests = []
    def test(f): tests.append(f); return f

    @test
    def head_on_equal_discs_swap_velocities():
        s = simulate([_obj(0, "ball", .25, (-1, 0), (1, 0)), _obj(1, "ball", .25, (1, 0), (-1, 0))], 3.0, 1.0)
        assert len(s.events) == 1 and s.events[0]["type"] == "collision", s.events
        assert _close(s.events[0]["time"], 0.75)           # gap 1.5 closed at speed 2
        assert _vclose(s.velocity(0, 1.0), (-1, 0)) and _vclose(s.velocity(1, 1.0), (1, 0))

    @test
    def unequal_discs_one_dimensional_formula():
        # m0 = .5**3, m1 = .25**3: v0' = (m0-m1)/(m0+m1) v0 + 2 m1/(m0+m1) v1 (1-D elastic collision)
        s = simulate([_obj(0, "ball", .5, (0, 0), (2, 0)), _obj(1, "cylinder", .25, (2, 0), (0, 0))], 9.0, 1.0)
        m0, m1 = .125, .015625
        assert _close(s.events[0]["time"], (2 - .75) / 2)
        assert _vclose(s.velocity(0, 1.0), ((m0 - m1) / (m0 + m1) * 2, 0))
        assert _vclose(s.velocity(1, 1.0), (2 * m0 / (m0 + m1) * 2, 0))

    @test
    def disc_hits_wall():
        s = simulate([_obj(0, "ball", .5, (0, 1), (2, 0))], 3.0, 2.0)
        assert [(e["type"], e["wall"]) for e in s.events] == [("wall", "right")]
        assert _close(s.events[0]["time"], 1.25)           # x + r reaches 3 at t = 2.5 / 2
        assert _vclose(s.velocity(0, 1.3), (-2, 0)) and _vclose(s.velocity(0, 1.2), (2, 0))
        s = simulate([_obj(0, "cube", .5, (-1, 0), (-1, -2))], 3.0, 1.6)  # a square: its half-side meets the wall
        assert [e["wall"] for e in s.events] == ["front", "left"], s.events
        assert _close(s.events[0]["time"], 1.25) and _close(s.events[1]["time"], 1.5)
        assert _vclose(s.velocity(0, 1.6), (1, 2))

    @test
    def square_square_face_contact():
        # half-sides .5 and 1 -> contact when |dx| = 1.5; the y offset .7 < 1.5 keeps the x faces in contact
        s = simulate([_obj(0, "cube", .5, (-2, .7), (1, 0)), _obj(1, "cube", 1, (1, 0), (0, 0))], 9.0, 3.0)
        assert _close(s.events[0]["time"], 1.5) and s.events[0]["type"] == "collision"
        m0, m1 = .125, 1.0
        assert _vclose(s.velocity(0, 2), ((m0 - m1) / (m0 + m1), 0))
        assert _vclose(s.velocity(1, 2), (2 * m0 / (m0 + m1), 0))
        # moving diagonally, the y slab is entered last: the y faces meet and only vy is exchanged
        s = simulate([_obj(0, "cube", .5, (0, -3), (.2, 2)), _obj(1, "cube", .5, (.5, 0), (0, 0))], 9.0, 2.0)
        assert _close(s.events[0]["time"], 1.0)            # |dy| = 3 - 2t = 1 at t = 1; then dx = .3 < 1
        assert _vclose(s.velocity(0, 1.5), (.2, 0)) and _vclose(s.velocity(1, 1.5), (0, 2))

    @test
    def squares_sliding_side_by_side_do_not_collide():
        s = simulate([_obj(0, "cube", .5, (0, 0), (0, 1)), _obj(1, "cube", .5, (1, -1), (0, 0))], 9.0, 3.0)
        assert s.events == [], s.events
        s = simulate([_obj(0, "cube", .5, (0, 0), (0, 1)), _obj(1, "cube", .5, (1 - 1e-3, 2), (0, 0))], 9.0, 3.0)
        assert len(s.events) == 1 and _close(s.events[0]["time"], 1.0)   # slightly overlapping slab: y faces

    @test
    def disc_square_face_contact():
        s = simulate([_obj(0, "ball", .5, (-2, .3), (1, 0)), _obj(1, "cube", .5, (0, 0), (0, 0))], 9.0, 2.0)
        assert _close(s.events[0]["time"], 1.0)            # disc at x = -1 touches the face x = -.5
        assert _vclose(s.velocity(0, 1.5), (0, 0)) and _vclose(s.velocity(1, 1.5), (1, 0))  # equal masses

    @test
    def disc_square_corner_contact_normal_from_corner():
        # centre at y = .8 passes above the face span (|y| <= .5): it meets the corner (-.5, .5) when
        # |(x + .5, .3)| = .5, i.e. x = -.9, t = 1.1; normal corner -> disc (-.8, .6)
        objs = [_obj(0, "ball", .5, (-2, .8), (1, 0)), _obj(1, "cube", .5, (0, 0), (0, 0))]
        s = simulate(objs, 9.0, 2.0)
        assert _close(s.events[0]["time"], 1.1)
        assert _vclose(s.velocity(0, 1.5), (.36, .48)) and _vclose(s.velocity(1, 1.5), (.64, -.48))
        s = simulate(objs, 9.0, 2.0, held=1)               # held: v - 2 (v.n) n = (1,0) + 1.6 (-.8, .6)
        assert _close(s.events[0]["time"], 1.1)
        assert _vclose(s.velocity(0, 1.5), (-.28, .96)) and _vclose(s.velocity(1, 1.5), (0, 0))
        # square moving onto a still disc, from the other side: same geometry mirrored
        s = simulate([_obj(0, "cube", .5, (2, -.8), (-1, 0)), _obj(1, "ball", .5, (0, 0), (0, 0))], 9.0, 2.0)
        assert _close(s.events[0]["time"], 1.1) and _vclose(s.velocity(1, 1.5), (-.64, .48))

    @test
    def disc_misses_square_corner():
        s = simulate([_obj(0, "ball", .5, (-2, 1.01), (1, 0)), _obj(1, "cube", .5, (0, 0), (0, 0))], 9.0, 4.0)
        assert s.events == [], s.events

    @test
    def held_object_reflects_the_mover():
        objs = [_obj(0, "ball", .5, (-2, 0), (1, 0)), _obj(1, "ball", 1, (0, 0), (-1, 0))]
        s = simulate(objs, 9.0, 2.0, held=1)               # held: zero velocity, gap .5 closed at speed 1
        assert _close(s.events[0]["time"], .5) and _vclose(s.velocity(0, 1), (-1, 0))
        assert _vclose(s.velocity(1, 1), (0, 0))
        s = simulate([_obj(0, "ball", .5, (-2, .5 * 2 ** .5), (1, 0)), _obj(1, "ball", .5, (0, 0), (0, 0))],
                     9.0, 3.0, held=1)                     # 45-degree contact: the mover turns by 90 degrees
        assert _vclose(s.velocity(0, 3), (0, 1)), s.velocity(0, 3)
        s = simulate([_obj(0, "ball", .5, (2.4, 0), (0, 0)), _obj(1, "ball", .5, (1, 0), (1, 0))],
                     3.0, 9.0, held=0)                     # held objects never hit walls; the mover bounces
        got = [(e["type"], e["ids"], round(e["time"], 9)) for e in s.events]
        assert got == [("collision", [0, 1], .4), ("wall", [1], 4.3), ("collision", [0, 1], 8.2)], got

    @test
    def conservation_in_free_collisions():
        "Every object-object contact keeps momentum and energy; walls keep energy (random 5-body scenes)."
        rng, n_coll = np.random.default_rng(0), 0
        for trial in range(30):
            objs, n = [], 5
            while len(objs) < n:                           # non-overlapping random bodies
                kind = ["ball", "cube", "cylinder"][rng.integers(3)]
                r, p = float(rng.uniform(.2, .5)), rng.uniform(-2, 2, 2)
                if all(np.hypot(*(p - np.array(o["pos"][:2]))) > 1.5 for o in objs):
                    objs.append(_obj(len(objs), kind, r, p, rng.uniform(-2, 2, 2)))
            m = np.array([o["radius"] ** 3 for o in objs])
            s = simulate(objs, 3.0, 20.0)
            vs = [np.array([vel[i] for i in range(n)]) for _, vel in s.states]
            energy = [(m * (v ** 2).sum(1)).sum() for v in vs]
            assert np.allclose(energy, energy[0])
            for k, e in enumerate(s.events):
                if e["type"] != "collision": continue
                n_coll += 1
                assert np.allclose((m[:, None] * vs[k]).sum(0), (m[:, None] * vs[k + 1]).sum(0))
                i, j = e["ids"]                            # only the two bodies in contact change velocity
                changed = np.flatnonzero(np.abs(vs[k + 1] - vs[k]).sum(1) > 0)
                assert set(changed) <= {i, j}, (changed, e)
            for k, (t, pos) in enumerate(s.positions):    # no missed contact: nothing overlaps, at events or
                nxt = s.positions[k + 1][0] if k + 1 < len(s.positions) else 20.0
                for dt in np.linspace(0, nxt - t, 5):      # between them (a missed contact would overlap)
                    bs = [Body(o["id"], o["kind"], o["radius"], *pos[o["id"]], *s.states[k][1][o["id"]])
                          for o in objs]
                    assert all(_gap_normal(a, b, dt)[0] > -1e-9 for a in bs for b in bs if a.id < b.id)
                    assert all(abs(b.x + b.vx * dt) + b.r <= 3 + 1e-9 and abs(b.y + b.vy * dt) + b.r <= 3 + 1e-9
                               for b in bs)
            times = [e["time"] for e in s.events]
            assert all(b - a >= 0 for a, b in zip(times, times[1:]))
        assert n_coll >= 100, n_coll                       # the test saw collisions

    @test
    def analytic_contact_times_match_a_bisected_gap():
        "The first zero of the gap (sampled, then bisected) is the analytic contact time, for every shape pair."
        rng, seen = random.Random(1), Counter()
        for _ in range(800):
            ka, kb = rng.choice(["ball", "cube"]), rng.choice(["ball", "cube"])
            a = Body(0, ka, rng.uniform(.2, .6), 0.0, 0.0, rng.uniform(-1, 1), rng.uniform(-1, 1))
            b = Body(1, kb, rng.uniform(.2, .6), rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-1, 1),
                     rng.uniform(-1, 1))
            if _gap_normal(a, b)[0] <= 1e-3: continue
            ts = np.linspace(0, 10, 1001)
            gaps = [_gap_normal(a, b, t)[0] for t in ts]
            k = next((k for k, g in enumerate(gaps) if g < 0), None)
            got = _pair_time(a, b)
            if k is None:                                  # no sampled overlap: no contact, or a grazing one
                assert got is None or got > 10 or min(gaps) < 1e-3, (a, b, got)
                continue
            lo, hi = ts[k - 1], ts[k]
            for _ in range(60):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if _gap_normal(a, b, mid)[0] > 0 else (lo, mid)
            assert got is not None and abs(got - hi) < 1e-7, (a, b, got, hi)
            seen[(ka, kb)] += 1
        assert len(seen) == 4 and min(seen.values()) > 15, seen

    @test
    def order_of_events():
        # A (x=-2) runs right into still B (x=0): collision at t=1 (gap 1); B then reaches the right wall at
        # x = 2.5 at t = 1 + 2.5 = 3.5; C moves towards the camera and hits the front wall (y=-2.5) at t=1.5.
        objs = [_obj("a", "ball", .5, (-2, 0), (1, 0)), _obj("b", "ball", .5, (0, 0), (0, 0)),
                _obj("c", "cube", .5, (-2, -1), (0, -1))]
        s = simulate(objs, 3.0, 3.6)
        got = [(e["type"], tuple(e["ids"]), round(e["time"], 9)) for e in s.events]
        assert got == [("collision", ("a", "b"), 1), ("wall", ("c",), 1.5), ("wall", ("b",), 3.5)], got

    @test
    def newton_cradle_of_touching_discs():
        objs = [_obj(0, "ball", .5, (-2, 0), (1, 0)), _obj(1, "ball", .5, (0, 0), (0, 0)),
                _obj(2, "ball", .5, (1, 0), (0, 0)), _obj(3, "ball", .5, (2, 0), (0, 0))]
        s = simulate(objs, 9.0, 1.0)
        assert [tuple(e["ids"]) for e in s.events] == [(0, 1), (1, 2), (2, 3)]
        assert all(_close(e["time"], 1) for e in s.events)
        assert [s.velocity(i, 1.0) for i in range(4)] == [(0, 0), (0, 0), (0, 0), (1, 0)]

    @test
    def resting_contacts_make_no_events():
        s = simulate([_obj(0, "ball", .5, (2.5, 0), (-1, 0)), _obj(1, "cube", .5, (0, 2.5), (0, 0))], 3.0, 1.0)
        assert s.events == [], s.events                    # touching the wall while leaving it; at rest on it
        s = simulate([_obj(0, "ball", .5, (0, 0), (0, 1)), _obj(1, "ball", .5, (1, 0), (0, 1))], 9.0, 1.0)
        assert s.events == [], s.events                    # touching discs moving together
        s = simulate([_obj(0, "ball", .5, (0, 0), (1, 0)), _obj(1, "ball", .5, (1, 0), (0, 0))], 9.0, .5)
        assert len(s.events) == 1 and s.events[0]["time"] == 0.0   # touching and approaching: at once

    @test
    def event_cap_guards_loops():
        try: simulate([_obj(0, "ball", .5, (0, 0), (10, 0))], 1.0, 1e9, max_events=50)
        except SimulationError: pass
        else: raise AssertionError("no SimulationError")

    @test
    def question_answers_on_a_hand_built_scene():
        d = _fixture_scene()
        sc = Scene(d)
        for k, q in enumerate(d["questions"]):
            got, value = answer(sc, q)
            assert got == q["label"], (k, q["family"], got, value)

    @test
    def check_dataset_flags_a_wrong_label():
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "scenes"))
            d = _fixture_scene()
            json.dump(d, open(os.path.join(tmp, "scenes", "s0.json"), "w"))
            bad = json.loads(json.dumps(d)); q = bad["questions"][0]
            q["label"] = (q["label"] + 1) % 4; q["answer"] = q["options"][q["label"]]
            bad["events"][0]["time"] += 1e-3
            json.dump(bad, open(os.path.join(tmp, "scenes", "s1.json"), "w"))
            r = check_dataset(tmp)
            n = len(d["questions"])
            assert r["checked"] == 2 * n and r["agree"] == 2 * n - 1 and len(r["disagree"]) == 1, r
            assert r["disagree"][0][:3] == ("s1", 0, d["questions"][0]["family"])
            assert len(r["events"]["bad"]) == 2, r["events"]   # the shifted event: missing and extra

    for f in tests:
        f(); print(f"ok  {f.__name__}")
    print(f"{len(tests)} self-tests passed")


def _fixture_scene():
    """A hand-built scene (T=31 frames at 10 fps: D=3 s, future to 6.1 s) with questions of every family.
    Worked out by hand: ball 0 (x=-2, v=(1,0)) meets still ball 1 (x=0) at t=1 (gap 1; equal masses: 0 stops at
    x=-1, 1 moves right); cube 2 at (0, 2) moving right hits the right wall (x+.5=3) at t=2.5; ball 1 hits the
    right wall at t=3.5 and comes back to ball 0 at t=6. Cylinder 3 (at y=-2) never moves nor touches anything.
    Held 1: ball 0 bounces at t=1, reaches the left wall at t=2.5 and ball 1 again at t=4 > D."""
    objs = [_obj(0, "ball", .5, (-2, 0), (1, 0)), _obj(1, "ball", .5, (0, 0), (0, 0)),
            _obj(2, "cube", .5, (0, 2), (1, 0)), _obj(3, "cylinder", .25, (1.5, -2), (0, 0))]
    D, T, fps = 3.0, 31, 10
    dirs4, counts, causes = ["right", "left", "away from the camera", "towards the camera"], ["0", "1", "2", "3"], \
        ["wall", 0, 2, 3]
    first = ["the red ball and the blue ball", "the blue ball and the green cube", "no two objects would collide",
             "the red ball and the green cube"]
    hits = ["a wall", "nothing", "the red ball", "the gray cylinder"]
    because = ["a wall", "the red ball", "the green cube", "the gray cylinder"]
    qs = [
        ("direction", ["left", "right", "towards the camera", "there is no purple cone in the video"], 1,
         {"object": 0, "name": "the red ball", "time": 0}),
        ("direction", ["left", "right", "towards the camera", "there is no purple cone in the video"], 3,
         {"object": None, "name": "purple cone", "time": 0}),
        ("direction_end", dirs4, 1, {"object": 2, "time": D}),               # after the right wall at 2.5
        ("direction_future", dirs4, 1, {"object": 1, "time": D + 1}),        # after the right wall at 3.5
        ("count_kind", counts, 2, {"kind": "ball"}),
        ("count_moving", ["1", "2", "3", "4"], 2, {"t0": 0, "t1": D}),       # 0, 1 (from t=1), 2
        ("count_collisions", counts, 1, {"t0": 0, "t1": D}),
        ("cf_count", counts, 1, {"held": 1, "t1": D}),                       # 0 bounces off held 1 at t=1
        ("cf_count", counts, 0, {"held": 0, "t1": D}),
        ("cf_first", first, 2, {"held": 0, "t1": D, "pairs": [[0, 1], [1, 2], None, [0, 2]]}),
        ("cf_first", first, 0, {"held": 3, "t1": D, "pairs": [[1, 0], [1, 2], None, [0, 2]]}),
        ("future_hit", hits, 0, {"object": 1, "t0": D, "t1": D + 1, "targets": ["wall", "nothing", 0, 3]}),
        ("future_hit", hits, 1, {"object": 0, "t0": D, "t1": D + 1, "targets": ["wall", "nothing", 0, 3]}),
        ("future_hit", hits, 2, {"object": 1, "t0": 4.0, "t1": 6.05, "targets": ["wall", "nothing", 0, 3]}),
        ("order", ["a", "b", "c", "d"], 1, {"events": [
            {"type": "wall", "ids": [1]}, {"type": "collision", "ids": [1, 0]}, {"type": "wall", "ids": [3]},
            {"type": "wall", "ids": [2]}]}),
        ("order", ["a", "b", "c", "d"], 1, {"events": [
            {"type": "wall", "ids": [1]}, {"type": "wall", "ids": [2]}, {"type": "wall", "ids": [3]},
            {"type": "collision", "ids": [2, 3]}]}),
        ("explanation", because, 0, {"object": 2, "time": 2.6, "causes": causes}),
        ("explanation", because, 1, {"object": 1, "time": .9, "causes": causes}),
    ]
    qs = [dict(family=f, question="?", options=o, label=l, answer=o[l], spec=s) for f, o, l, s in qs]
    names = {"0": "the red ball", "1": "the blue ball", "2": "the green cube", "3": "the gray cylinder"}
    d = dict(config={"n_frames": T, "fps": fps, "arena": 3.0}, objects=objs, names=names, questions=qs)
    d["events"] = [{"type": "collision", "ids": [0, 1], "time": 1.0},
                   {"type": "wall", "ids": [2], "wall": "right", "time": 2.5}]
    d["future_events"] = [{"type": "wall", "ids": [1], "wall": "right", "time": 3.5},
                          {"type": "collision", "ids": [1, 0], "time": 6.0}]
    return d


# ------------------------------------------------------------------------------------------------------- CLI
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", nargs="?", help="a dataset folder holding scenes/*.json")
    ap.add_argument("--selftest", action="store_true", help="run the hand-computed self-tests")
    ap.add_argument("--robust", type=int, default=0, help="also re-answer under this many perturbations per question")
    ap.add_argument("--show", type=int, default=30, help="how many disagreements to print")
    a = ap.parse_args(argv)
    if a.selftest: selftest(); return 0
    if not a.dir: ap.error("give DIR or --selftest")
    r = check_dataset(a.dir, robust=a.robust)
    for fam, (ok, n) in sorted(r["by_family"].items()): print(f"{fam:18s} {ok:5d}/{n:<5d} agree")
    for x in r["disagree"][:a.show]: print("DISAGREE", *x, sep="  ")
    for x in r["events"]["bad"][:a.show]: print("EVENT", x[0], x[1], json.dumps(x[2]), sep="  ")
    for x in r["errors"]: print("ERROR", *x, sep="  ")
    for x in r["fragile"][:a.show]: print("FRAGILE (answer changes under perturbation)", *x, sep="  ")
    print(f"events: {r['events']['checked']} stored, {len(r['events']['bad'])} mismatches")
    if a.robust: print(f"fragile under perturbation: {len(r['fragile'])}")
    print(f"{r['agree']} agree, {len(r['disagree'])} disagree")
    return 1 if (r["disagree"] or r["events"]["bad"] or r["errors"]) else 0


if __name__ == "__main__": sys.exit(main())
