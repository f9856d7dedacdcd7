"""Speed and memory of the media analysis on multi-hour VODs (issue 3, part 9).

Usage::

    python benchmarks/run.py --hours 4 --res 1080p          # the issue-3 targets
    python benchmarks/run.py --hours 0.25 --res 720p --seed-min 1   # a quick check
    python benchmarks/run.py --realistic --hours 1 --res 1080p   # realistic-complexity input

Builds (once, cached in ``benchmarks/_media/``) an H.264 + AAC MP4 of about ``--hours``
(30 fps, 2-s GOP, 48 kHz AAC) by stream-copy repeating a synthetic seed segment encoded
with :func:`highlights.synth.make_livestream`, plus a tiled chat log of the same length,
then times on it, each run in a fresh subprocess:

* demux only (every packet read, nothing decoded): the floor of any pass over the file;
* ``analyze_media`` with ``video="none"`` (audio only + packet sizes), ``"keyframes"``
  (the default for long inputs), ``"sampled"`` (2 fps) and ``"full"``, with 1..N workers
  (N = the machine's cores); the slow modes run on a shorter cut of the same content
  (``--sampled-min``, ``--cut-min``) and are labelled so;
* the default :func:`highlights.find_highlights` path (with the chat log);
* PySceneDetect ``detect(path, ContentDetector(), show_progress=False)`` on the cut;
* ``benchmarks/core.py`` (fusion + picking on 24 h of 0.1-s hops).

``--realistic`` runs a different, short mode instead: the default ``find_highlights``
(with chat, default parameters, cold start, no analysis cache) and demux-only on an input
of ``--hours`` (default 1) whose seed segment is re-encoded the way real recordings are
(x264 ``veryfast``, CRF 23, CABAC, 3 B-frames, 2-s GOP, AAC stereo; see ``_inputs.py``),
and, unless ``--no-compare``, the same two runs on the ultrafast input of the same length.
The ultrafast seed decodes 2-3x faster than real recordings, so this is the figure to
quote for real VODs.

Wall times exclude interpreter start-up and module imports (done before the clock
starts, in every child).  Peak memory is taken two ways: ``max RSS`` is the largest
single process (``ru_maxrss`` from ``os.wait4`` of the child, which covers its waited
workers), ``sum RSS`` is the peak of the child's whole process tree sampled every 50 ms
with psutil (it counts shared library pages once per process, so it over-states a
multi-process run).  ``vs demux`` = how many times slower than demux-only of the same
file; ``vs PySD`` = how many times faster than PySceneDetect (per media second);
``init s`` = imports done before the clock started; ``load`` = the 1-minute load average
when the run ended (on a shared machine, compare only rows taken at a similar load).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _inputs import Input, ensure_input  # noqa: E402

HOP_S = 0.5
SAMPLE_FPS = 2.0


# ----------------------------------------------------------------------------- child side
def _child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one benchmark job in this (fresh) process and return its measurements."""
    import resource
    import warnings

    kind = spec["kind"]
    path = spec["path"]
    t_imp = time.perf_counter()
    import av  # noqa: F401
    import numpy  # noqa: F401

    import highlights  # noqa: F401

    # warm runs import every module before the clock, which sees per-media-second work only
    if kind in ("analyze", "idle", "find_warm"):
        import highlights.api  # noqa: F401
        import highlights.features.analyze  # noqa: F401
        import highlights.features.audio  # noqa: F401
        import highlights.features.chat  # noqa: F401
        import highlights.features.lag  # noqa: F401
        import highlights.features.packets  # noqa: F401
        import highlights.features.scene  # noqa: F401
        import highlights.io.chat  # noqa: F401
        import highlights.io.media  # noqa: F401
        # what the analysis path imports lazily (no librosa since 136c83b)
        for mod in ("cv2", "scipy.fft", "scipy.sparse"):
            try:
                __import__(mod)
            except ImportError:
                pass
    if kind == "scenedetect":
        import cv2  # noqa: F401
        import scenedetect  # noqa: F401
    import_s = time.perf_counter() - t_imp

    extra: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        if kind == "idle":
            pass
        elif kind == "demux":
            import av as _av

            nbytes = npk = 0
            with _av.open(path) as c:
                for pkt in c.demux():
                    nbytes += pkt.size
                    npk += 1
            extra = {"packets": npk, "bytes": nbytes}
        elif kind == "analyze":
            from highlights.features.analyze import analyze_media

            res = analyze_media(path, hop_s=HOP_S, video=spec["mode"], sample_fps=SAMPLE_FPS,
                                workers=spec["workers"])
            extra = {"hops": next(iter(res.timelines.values())).n if res.timelines else 0,
                     "covered_s": res.covered_s, "cuts": int(res.cuts_s.size),
                     "mode": res.video_mode}
        elif kind in ("find", "find_warm"):
            from highlights.api import find_highlights

            out = find_highlights(path, chat=spec["chat"])
            extra = {"clips": len(out.clips), "chat_lag_s": out.chat_lag_s}
        elif kind == "scenedetect":
            from scenedetect import ContentDetector, detect

            scenes = detect(path, ContentDetector(), show_progress=False)
            extra = {"scenes": len(scenes)}
        else:
            raise ValueError(kind)
        wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    extra["warnings"] = sorted({f"{w.category.__name__}: {str(w.message)[:160]}"
                                for w in caught})[:3]
    return {"wall_s": wall, "import_s": import_s, "self_maxrss_mb": ru.ru_maxrss / 1024,
            **extra}


# ----------------------------------------------------------------------------- parent side
@dataclass
class Row:
    """One measured run."""

    input: Input
    run: str
    media_s: float  # seconds of media the run covered (a cut may be shorter than the input)
    wall_s: float
    max_rss_mb: float
    sum_rss_mb: float | None
    sum_pss_mb: float | None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def x_rt(self) -> float:
        """Media seconds per wall second."""
        return self.media_s / self.wall_s

    @property
    def full_wall_s(self) -> float:
        """Wall time scaled to the whole input (equal to ``wall_s`` unless run on a cut)."""
        return self.wall_s * self.input_full_s / self.media_s

    input_full_s: float = 0.0


def _tree_mem(pid: int, stop: threading.Event, out: dict[str, float]) -> None:
    """Sample the peak sum of RSS and of PSS over the process tree rooted at ``pid``."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    peak_rss = peak_pss = 0
    while not stop.is_set():
        rss = pss = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            break
        for p in procs:
            try:
                m = p.memory_full_info()  # Linux: smaps_rollup, cheap
                rss += m.rss
                pss += getattr(m, "pss", m.rss)
            except psutil.Error:
                pass
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        stop.wait(0.05)
    out["sum_rss_mb"] = peak_rss / 2**20
    out["sum_pss_mb"] = peak_pss / 2**20


def measure(spec: dict[str, Any]) -> tuple[dict[str, Any], float, dict[str, float]]:
    """Run ``spec`` in a fresh interpreter; return (child result, max RSS MB, tree sums MB)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    peak: dict[str, float] = {}
    sampler = threading.Thread(target=_tree_mem, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    chunks: dict[str, str] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    for t in readers:
        t.join()
    if proc.returncode != 0:
        raise RuntimeError(f"child {spec} failed ({proc.returncode}):\n"
                           f"{chunks.get('err', '')[-3000:]}")
    lines = [ln for ln in chunks.get("out", "").splitlines() if ln.startswith("{")]
    result = json.loads(lines[-1])
    return result, ru.ru_maxrss / 1024, peak


def run_one(inp: Input, run: str, spec: dict[str, Any], *, full: Input | None = None,
            note: str = "") -> Row:
    """Measure ``spec`` on ``inp`` (a cut of ``full`` if given) and print a progress line."""
    spec = {**spec, "path": str(inp.path)}
    print(f"  {run:<34} on {inp.duration_s / 60:6.1f} min ...", end="", flush=True)
    res, max_rss, sums = measure(spec)
    row = Row(input=full or inp, run=run, media_s=inp.duration_s, wall_s=res["wall_s"],
              max_rss_mb=max_rss, sum_rss_mb=sums.get("sum_rss_mb"),
              sum_pss_mb=sums.get("sum_pss_mb"), note=note,
              extra={**{k: v for k, v in res.items() if k not in ("wall_s",)},
                     "load": os.getloadavg()[0]},
              input_full_s=(full or inp).duration_s)
    sr = "" if row.sum_pss_mb is None else f", tree PSS {row.sum_pss_mb:.0f} MB"
    xrt = f" = {row.x_rt:7.1f}x rt" if spec["kind"] != "idle" else ""
    print(f" {row.wall_s:7.1f} s{xrt}, max RSS {max_rss:.0f} MB{sr}"
          + (f"  [{'; '.join(res['warnings'])}]" if res.get("warnings") else ""), flush=True)
    return row


def run_core(hours: float, hop: float) -> dict[str, Any]:
    """Run ``benchmarks/core.py`` in a subprocess and parse its figures."""
    cmd = [sys.executable, str(HERE / "core.py"), "--hours", str(hours), "--hop", str(hop)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"fuse \+ pick \(vectorised\): ([\d.]+) ms", out)
    s = re.search(r"speed-up: ([\d,]+)x", out)
    return {"ms": float(m.group(1)) if m else None,
            "speedup": float(s.group(1).replace(",", "")) if s else None, "text": out.strip()}


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_table(rows: list[Row], demux: dict[str, Row], psd: dict[str, Row]) -> None:
    """Print one table per input."""
    hdr = (f"{'run':<36} {'media':>7} {'wall s':>7} {'x rt':>7} {'max RSS':>8} "
           f"{'tree PSS':>8} {'vs demux':>9} {'vs PySD':>8} {'init s':>6} {'load':>5}  note")
    by_input: dict[str, list[Row]] = {}
    for r in rows:
        by_input.setdefault(str(r.input.path), []).append(r)
    for key, rs in by_input.items():
        inp = rs[0].input
        print(f"\nINPUT {inp.describe()}\n  file: {inp.path}")
        print("  " + hdr)
        print("  " + "-" * len(hdr))
        d = demux.get(key)
        p = psd.get(key)
        for r in rs:
            vs_d = r.full_wall_s / d.full_wall_s if d and r.media_s else None
            vs_p = p.full_wall_s / r.full_wall_s if p and r.media_s else None
            sd = f"{vs_d:8.1f}x" if vs_d is not None else f"{'-':>9}"
            sp = f"{vs_p:7.1f}x" if vs_p is not None else f"{'-':>8}"
            media = f"{r.media_s / 60:.0f} min" if r.media_s else "-"
            xrt = f"{r.x_rt:7.1f}" if r.media_s else f"{'-':>7}"
            print(f"  {r.run:<36} {media:>7} {r.wall_s:7.1f} {xrt} "
                  f"{r.max_rss_mb:8.0f} {_fmt(r.sum_pss_mb, '8.0f')} "
                  f"{sd} {sp} "
                  f"{r.extra.get('import_s', 0.0):6.1f} {r.extra.get('load', 0.0):5.1f}  {r.note}")


def bench_resolution(res: str, args: argparse.Namespace, n_cores: int) -> tuple[
        list[Row], dict[str, Row], dict[str, Row], dict[str, Row]]:
    """Build the inputs of one resolution and run every measurement on them."""
    full = ensure_input(res, args.hours, seed_min=args.seed_min)
    cut = ensure_input(res, min(args.cut_min / 60.0, args.hours), seed_min=args.seed_min)
    smp = ensure_input(res, min(args.sampled_min / 60.0, args.hours), seed_min=args.seed_min)
    # the short file of the flatness check; kept above 20 min so that find_highlights'
    # default worker count (all cores above 20 min, 1 below) is the same for both files
    short_h = (args.flat_short_hours if args.hours >= args.flat_short_hours * 2
               else args.hours / 2)
    short = ensure_input(res, short_h, seed_min=args.seed_min)
    print(f"\n== {res}: {full.describe()}")
    rows: list[Row] = []
    demux: dict[str, Row] = {}
    psd: dict[str, Row] = {}
    flat: dict[str, Row] = {}
    key = str(full.path)
    n_msgs = _count_chat(full)

    def cut_note(c: Input) -> str:
        if c.path == full.path:
            return ""
        return f"on a {c.duration_s / 60:.0f}-min cut, scaled"

    d = run_one(full, "demux only (no decode)", {"kind": "demux"}, note="the baseline")
    rows.append(d)
    demux[key] = d
    f = run_one(full, "find_highlights default (+chat)",
                {"kind": "find", "chat": str(full.chat_path)},
                note=f"cold start (lazy imports in the clock); chat log {n_msgs:,} msgs")
    rows.append(f)
    flat["long"] = f
    if short.path != full.path:
        s = run_one(short, "find_highlights default (+chat)",
                    {"kind": "find", "chat": str(short.chat_path)},
                    note="flatness check: the same on a shorter file")
        flat["short"] = s
        rows.append(run_one(short, "find_highlights default, warm imports",
                            {"kind": "find_warm", "chat": str(short.chat_path)}, full=full,
                            note=f"modules imported before the clock; on the "
                                 f"{short.duration_s / 60:.0f}-min file, scaled"))
    i = run_one(full, "imports only (analysis stack)", {"kind": "idle"},
                note="numpy, av, cv2, scipy.fft/sparse, highlights: memory floor of "
                     "one analysis process")
    i.media_s = 0.0
    rows.append(i)
    rows.append(run_one(smp, "analyze_media video=none w=1",
                        {"kind": "analyze", "mode": "none", "workers": 1}, full=full,
                        note=("audio + packet sizes, no video decode " + cut_note(smp)).strip()))
    workers = list(range(1, n_cores + 1))
    for w in workers:
        rows.append(run_one(full, f"analyze_media video=keyframes w={w}",
                            {"kind": "analyze", "mode": "keyframes", "workers": w}))
    for w in workers:
        rows.append(run_one(smp, f"analyze_media video=sampled w={w}",
                            {"kind": "analyze", "mode": "sampled", "workers": w},
                            full=full, note=cut_note(smp)))
    for w in workers:
        rows.append(run_one(cut, f"analyze_media video=full w={w}",
                            {"kind": "analyze", "mode": "full", "workers": w},
                            full=full, note=cut_note(cut)))
    if not args.no_scenedetect:
        p = run_one(cut, "PySceneDetect ContentDetector", {"kind": "scenedetect"},
                    full=full, note=(cut_note(cut) + " (OpenCV backend)").strip())
        rows.append(p)
        psd[key] = p
    return rows, demux, psd, flat


def bench_realistic(res: str, args: argparse.Namespace) -> tuple[list[Row], dict[str, Row],
                                                                  dict[str, dict[str, Row]]]:
    """Demux-only and default ``find_highlights`` on the realistic input (and the ultrafast one)."""
    inputs = [ensure_input(res, args.hours, seed_min=args.seed_min, complexity="realistic")]
    if not args.no_compare:
        inputs.append(ensure_input(res, args.hours, seed_min=args.seed_min))
    rows: list[Row] = []
    demux: dict[str, Row] = {}
    found: dict[str, dict[str, Row]] = {}
    for inp in inputs:
        print(f"\n== {inp.describe()}")
        d = run_one(inp, "demux only (no decode)", {"kind": "demux"}, note="the baseline")
        f = run_one(inp, "find_highlights default (+chat)",
                    {"kind": "find", "chat": str(inp.chat_path)},
                    note=f"cold start (lazy imports in the clock), no cache; chat log "
                         f"{_count_chat(inp):,} msgs")
        rows += [d, f]
        demux[str(inp.path)] = d
        found[inp.complexity] = {"demux": d, "find": f}
    return rows, demux, found


def print_realistic(res: str, found: dict[str, dict[str, Row]]) -> None:
    """Print the realistic-input figures (and the comparison with the ultrafast input)."""
    r = found["realistic"]
    d, f = r["demux"], r["find"]
    tag = f"[{res}, {f.media_s / 60:.0f} min, realistic]"
    print(f"\nREALISTIC-COMPLEXITY INPUT {tag}\n  {f.input.describe()}")
    print(f"  find_highlights default (+chat), cold start, no cache: {f.wall_s:.1f} s = "
          f"{f.x_rt:.0f}x realtime")
    print(f"  demux only, same file, same run: {d.wall_s:.1f} s = {d.x_rt:.0f}x realtime; "
          f"find_highlights / demux = {f.wall_s / d.wall_s:.1f}x")
    print(f"  peak memory of the process tree: {_fmt(f.sum_pss_mb, '.0f')} MB PSS, "
          f"{_fmt(f.sum_rss_mb, '.0f')} MB summed RSS; largest process {f.max_rss_mb:.0f} MB RSS")
    print(f"  {_flag(f.x_rt >= 120)} {tag} default analysis >= 120x realtime: {f.x_rt:.0f}x")
    if f.media_s < 1200:
        print("       (under 20 min find_highlights' defaults differ: 1 worker, and sampled "
              "video under 10 min; not comparable with the 60-min figure)")
    u = found.get("ultrafast")
    if u is not None:
        uf, ud = u["find"], u["demux"]
        print(f"  same length, ultrafast input, same run: find_highlights {uf.wall_s:.1f} s = "
              f"{uf.x_rt:.0f}x rt (realistic takes {f.wall_s / uf.wall_s:.2f}x as long), demux "
              f"{ud.wall_s:.1f} s, tree PSS {_fmt(uf.sum_pss_mb, '.0f')} MB")


def _count_chat(inp: Input) -> int:
    return len(json.loads(inp.chat_path.read_text(encoding="utf-8")))


def _flag(ok: bool) -> str:
    return "OK  " if ok else "MISS"


def print_targets(rows: list[Row], psd: dict[str, Row], flats: dict[str, dict[str, Row]],
                  core: dict[str, Any] | None) -> None:
    """Print each issue-3 target with the measured figure."""
    print("\nTARGETS (issue 3)")
    for res, flat in flats.items():
        fr = flat["long"]
        p = psd.get(str(fr.input.path))
        tag = f"[{res}, {fr.media_s / 3600:.2f} h]"
        print(f"  {_flag(fr.x_rt >= 120)} {tag} default analysis >= 120x realtime: "
              f"{fr.x_rt:.0f}x ({fr.wall_s:.0f} s, find_highlights with chat, cold start)")
        if p is not None:
            ratio = p.full_wall_s / fr.full_wall_s
            print(f"  {_flag(ratio >= 15)} {tag} >= 15x faster than PySceneDetect: {ratio:.1f}x "
                  f"(PySD {p.x_rt:.1f}x rt, measured on a {p.media_s / 60:.0f}-min cut)")
        mem = fr.sum_pss_mb if fr.sum_pss_mb is not None else fr.max_rss_mb
        print(f"  {_flag(max(mem, fr.max_rss_mb) <= 500)} {tag} peak RSS <= 500 MB: largest "
              f"process {fr.max_rss_mb:.0f} MB, whole process tree {mem:.0f} MB (PSS), "
              f"{_fmt(fr.sum_rss_mb, '.0f')} MB (sum of RSS, shared pages counted per process)")
        s = flat.get("short")
        if s is not None and s.media_s < 1200:
            print("       (the short file is under 20 min, where find_highlights' defaults differ: "
                  "1 worker, and sampled video under 10 min; not like for like)")
        if s is not None:
            for label, a, b in (("largest-process RSS", s.max_rss_mb, fr.max_rss_mb),
                                ("tree PSS", s.sum_pss_mb, fr.sum_pss_mb)):
                if a is None or b is None:
                    continue
                dv = (b - a) / a
                print(f"  {_flag(abs(dv) <= 0.10)} {tag} flat in duration, {label}: "
                      f"{s.media_s / 3600:.2f} h {a:.0f} MB vs {fr.media_s / 3600:.2f} h "
                      f"{b:.0f} MB = {100 * dv:+.1f}% (target within 10%)")
    if core is not None and core["ms"] is not None:
        print(f"  {_flag(core['ms'] <= 50)} core fusion + picking, 24 h at 0.1-s hops <= 50 ms: "
              f"{core['ms']:.1f} ms ({core['speedup']:,.0f}x the slow reference loop)")


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=None,
                    help="length of the main input (default 4; 1 with --realistic)")
    ap.add_argument("--res", default="1080p",
                    help="comma-separated resolutions: 360p, 720p, 1080p (default 1080p)")
    ap.add_argument("--seed-min", type=float, default=5.0,
                    help="length of the encoded segment that is repeated (minutes)")
    ap.add_argument("--cut-min", type=float, default=10.0,
                    help="cut for the full-decode and PySceneDetect runs (minutes)")
    ap.add_argument("--sampled-min", type=float, default=10.0,
                    help="cut for the sampled-mode and audio-only runs (minutes)")
    ap.add_argument("--flat-short-hours", type=float, default=1.0,
                    help="short file of the flatness check (hours)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="largest worker count (default: the machine's cores)")
    ap.add_argument("--no-scenedetect", action="store_true")
    ap.add_argument("--no-core", action="store_true", help="skip benchmarks/core.py")
    ap.add_argument("--realistic", action="store_true",
                    help="only time find_highlights default and demux-only on the "
                         "realistic-complexity input (x264 veryfast CRF 23, CABAC, 3 B-frames)")
    ap.add_argument("--no-compare", action="store_true",
                    help="with --realistic: skip the same runs on the ultrafast input")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(json.loads(args.child))), flush=True)
        return
    if args.hours is None:
        args.hours = 1.0 if args.realistic else 4.0

    t_start = time.perf_counter()
    load = os.getloadavg()
    cores = os.cpu_count() or 1
    print(f"highlights benchmark: {cores} cores, load average {load[0]:.1f}/{load[1]:.1f}/"
          f"{load[2]:.1f}, Python {sys.version.split()[0]}")
    if load[0] > 0.75 * cores:
        print("WARNING: the machine is busy (load average near or above the core count): "
              "timings are indicative only.")
    resolutions = [r.strip() for r in args.res.split(",") if r.strip()]
    if args.realistic:
        main_realistic(args, resolutions, t_start, load)
        return
    all_rows: list[Row] = []
    demux: dict[str, Row] = {}
    psd: dict[str, Row] = {}
    flats: dict[str, dict[str, Row]] = {}
    for res in resolutions:
        rows, d, p, flat = bench_resolution(res, args, max(1, args.workers))
        all_rows += rows
        demux.update(d)
        psd.update(p)
        flats[res] = flat
    core = None
    if not args.no_core:
        print("\n  benchmarks/core.py --hours 24 --hop 0.1 ...", flush=True)
        core = run_core(24.0, 0.1)

    print("\n" + "=" * 100)
    print("RESULTS: each run in a fresh process; wall excludes interpreter start-up and the "
          "imports done before the clock (init s) except where noted cold; 'scaled' rows ran "
          "on a shorter cut of the same repeated content and are scaled per media second.")
    print_table(all_rows, demux, psd)
    for flat in flats.values():
        s = flat.get("short")
        if s is not None:
            print(f"\nflatness input: {s.input.describe()}\n  find_highlights default (+chat): "
                  f"{s.wall_s:.1f} s = {s.x_rt:.1f}x rt, max RSS {s.max_rss_mb:.0f} MB, tree PSS "
                  f"{_fmt(s.sum_pss_mb, '.0f')} MB")
    if core is not None:
        print("\nbenchmarks/core.py --hours 24 --hop 0.1:\n  " + core["text"].replace("\n", "\n  "))
    print_targets(all_rows, psd, flats, core)
    load_end = os.getloadavg()
    print(f"\ntotal benchmark time {time.perf_counter() - t_start:.0f} s; load average at the "
          f"start {load[0]:.1f}, at the end {load_end[0]:.1f} ({cores} cores)")

    if args.json is not None:
        _write_json(args.json, {"load_average_start": load, "load_average_end": load_end,
                                "rows": [_dump(r) for r in all_rows],
                                "flat_short": [_dump(f["short"]) for f in flats.values()
                                               if "short" in f],
                                "core": core})


def main_realistic(args: argparse.Namespace, resolutions: list[str], t_start: float,
                   load: tuple[float, float, float]) -> None:
    """``--realistic``: default analysis on the realistic-complexity input."""
    all_rows: list[Row] = []
    demux: dict[str, Row] = {}
    found: dict[str, dict[str, dict[str, Row]]] = {}
    for res in resolutions:
        rows, d, fd = bench_realistic(res, args)
        all_rows += rows
        demux.update(d)
        found[res] = fd
    print("\n" + "=" * 100)
    print("RESULTS: each run in a fresh process; wall excludes interpreter start-up and the "
          "imports done before the clock (init s); find_highlights is cold (its lazy imports "
          "are inside the clock) and uses no analysis cache.")
    print_table(all_rows, demux, {})
    for res, fd in found.items():
        print_realistic(res, fd)
    load_end = os.getloadavg()
    print(f"\ntotal benchmark time {time.perf_counter() - t_start:.0f} s; load average at the "
          f"start {load[0]:.1f}, at the end {load_end[0]:.1f} ({os.cpu_count() or 1} cores)")
    if args.json is not None:
        _write_json(args.json, {"load_average_start": load, "load_average_end": load_end,
                                "mode": "realistic", "rows": [_dump(r) for r in all_rows]})


def _dump(r: Row) -> dict[str, Any]:
    d = {k: v for k, v in asdict(r).items() if k != "input"}
    return {**d, "input": str(r.input.path), "res": r.input.res,
            "complexity": r.input.complexity, "input_s": r.input.duration_s,
            "x_rt": r.x_rt if r.media_s else None}


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
