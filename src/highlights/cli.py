"""Command-line interface: ``highlights find | demo | probe``.

Results go to stdout; progress, warnings and errors go to stderr.  Exit status: 0 on
success, 1 when the input cannot be processed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import HighlightsError, HighlightsWarning

__all__ = ["main", "build_parser"]

_DEMO_MARKER = ".highlights-demo"


def _weights(items: Sequence[str] | None) -> dict[str, float] | None:
    if not items:
        return None
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--weight expects NAME=NUMBER (e.g. chat_rate=2). Got {item!r}."
            ) from None
    return out


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(
        prog="highlights",
        description="Find the best moments in long livestream recordings.",
    )
    p.add_argument("--version", action="version", version=f"highlights {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar or warnings")
    common.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")

    f = sub.add_parser("find", parents=[common], help="find highlights in a recording",
                       description="Find highlights in a recording and print a table of clips.")
    f.add_argument("source", nargs="?", default=None,
                   help="the recording (mp4, mkv, flv, ts, ...); omit it for a chat-only "
                   "analysis with --chat")
    f.add_argument("--chat", help="chat log (format detected from content)")
    f.add_argument("-n", type=int, default=None, help="maximum number of clips (default 10)")
    f.add_argument("--min-len", type=float, default=None, metavar="S",
                   help="minimum clip length, seconds (default 15)")
    f.add_argument("--max-len", type=float, default=None, metavar="S",
                   help="maximum clip length, seconds (default 90)")
    f.add_argument("--pad", type=float, nargs=2, default=None, metavar=("PRE", "POST"),
                   help="pre-roll and post-roll, seconds (default 5 3)")
    f.add_argument("--min-gap", type=float, default=None, metavar="S",
                   help="minimum gap between clips, seconds (default 30)")
    f.add_argument("--threshold", type=float, default=None,
                   help="minimum fused score of a clip's peak (default 0 = baseline)")
    f.add_argument("--order", choices=("rank", "time"), default=None,
                   help="clip order: best first or chronological (default rank)")
    f.add_argument("--hop", type=float, default=0.5, metavar="S",
                   help="signal resolution, seconds (default 0.5)")
    f.add_argument("--video", choices=("auto", "keyframes", "sampled", "full", "none"),
                   default="auto", help="how much video to decode (default auto)")
    f.add_argument("--audio-stream", type=int, default=None, metavar="I",
                   help="audio stream index among audio streams (default: best)")
    f.add_argument("--weight", action="append", metavar="NAME=W",
                   help="signal weight override, repeatable (e.g. --weight chat_rate=2)")
    f.add_argument("--genre", choices=("game", "talk", "shopping"),
                   help="use the genre's weight preset (fitted on synthetic streams)")
    f.add_argument("--chat-lag", type=float, default=None, metavar="S",
                   help="seconds chat trails the action (default: estimated)")
    f.add_argument("--chat-offset", type=float, default=0.0, metavar="S",
                   help="seconds added to every chat time (default 0)")
    f.add_argument("--chat-encoding", default=None, metavar="ENC",
                   help="text encoding of the chat log, e.g. gb18030, big5, cp932, cp949, "
                   "cp1252 (default: detected)")
    f.add_argument("--preset", choices=("reel", "shorts", "teaser", "chapters"),
                   help="reel (3-5 min best-of), shorts (15-60 s clips), teaser (<= 20 s "
                   "montage), chapters (YouTube chapters); explicit options override it")
    f.add_argument("--budget", type=float, default=None, metavar="S",
                   help="maximum total length of the clips, seconds")
    f.add_argument("--no-snap", action="store_true",
                   help="keep raw clip edges (no snapping to scene cuts or pauses)")
    f.add_argument("--export", metavar="LIST",
                   help="comma-separated outputs into --out: json,csv,srt,vtt,chapters,edl,"
                   "resolve_markers,otio,fcp7,ffconcat,clips,reel,shorts,plot")
    f.add_argument("--out", metavar="DIR",
                   help="output folder for --export (default: <source name>_highlights)")
    f.add_argument("--cut-mode", choices=("copy", "encode"), default="copy",
                   help="clips export: lossless stream copy (keyframe-aligned) or "
                   "frame-exact re-encode (default copy)")
    f.add_argument("--crossfade", type=float, default=0.0, metavar="S",
                   help="reel export: crossfade between clips, seconds (default 0)")
    f.add_argument("--cache", metavar="DIR", help="analysis cache folder (re-runs are instant)")
    f.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes (default: all cores for media > 20 min)")
    f.add_argument("--json", metavar="PATH", help="write the result as JSON")
    f.add_argument("--plot", metavar="PATH", help="save a timeline plot (PNG/SVG/PDF)")
    f.add_argument("--overwrite", action="store_true", help="replace existing output files")

    d = sub.add_parser("demo", parents=[common],
                       help="generate a synthetic livestream and find its planted moments",
                       description="Generate a short synthetic livestream (video, audio and a "
                       "chat log with planted moments), run the full pipeline on it and print "
                       "the clips found next to the planted truth.")
    d.add_argument("--dir", default="highlights-demo",
                   help="output folder (default ./highlights-demo)")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.add_argument("--duration", type=float, default=120.0, metavar="S",
                   help="stream length, seconds (default 120)")

    pr = sub.add_parser("probe", parents=[common], help="print what a media file contains")
    pr.add_argument("source")
    return p


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("highlights")
    logger.addHandler(handler)
    logger.setLevel(level)


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _lag_text(result: Any) -> str:
    conf = result.chat_lag_confidence
    method = result.chat_lag_method
    if method == "estimated":
        return f"{result.chat_lag_s:.1f} s (estimated, confidence {conf:.2f})"
    if method == "default" and conf is not None:
        return (f"{result.chat_lag_s:.1f} s (default; the estimate had low confidence "
                f"{conf:.2f})")
    return f"{result.chat_lag_s:.1f} s ({method})"


def _cmd_find(args: argparse.Namespace) -> int:
    from .api import find_highlights

    exports = [e.strip() for e in args.export.split(",") if e.strip()] if args.export else []
    from .export.bundle import EXPORTS

    bad = [e for e in exports if e not in EXPORTS]
    if bad:
        raise argparse.ArgumentTypeError(
            f"--export: unknown output(s) {', '.join(bad)}; choose from {', '.join(EXPORTS)}."
        )
    if args.source is None and args.chat is None:
        raise argparse.ArgumentTypeError("give a recording, a --chat log, or both.")
    if args.genre and args.weight:
        raise argparse.ArgumentTypeError("--genre and --weight cannot be combined.")
    result = find_highlights(
        args.source, chat=args.chat, n=args.n, preset=args.preset, min_len_s=args.min_len,
        max_len_s=args.max_len, pad_s=None if args.pad is None else tuple(args.pad),
        min_gap_s=args.min_gap, threshold=args.threshold, order=args.order,
        budget_s=args.budget, snap=False if args.no_snap else None, hop_s=args.hop,
        video=args.video, audio_stream=args.audio_stream,
        weights=args.genre if args.genre and not args.weight else _weights(args.weight),
        chat_lag_s=args.chat_lag, chat_offset_s=args.chat_offset, progress=not args.quiet,
        chat_encoding=args.chat_encoding,
        workers=args.workers, cache=args.cache,
    )
    print(result)
    if result.chat_lag_s is not None:
        print(f"chat lag: {_lag_text(result)}")
    if args.json:
        result.to_json(args.json, overwrite=args.overwrite)
        print(f"wrote {args.json}", file=sys.stderr)
    if args.plot:
        result.plot(path=args.plot, overwrite=args.overwrite)
        print(f"wrote {args.plot}", file=sys.stderr)
    if exports:
        stem = Path(args.source or args.chat).stem
        out = Path(args.out) if args.out else Path(f"{stem}_highlights")
        written = result.export(out, formats=exports, overwrite=args.overwrite,
                                cut_mode=args.cut_mode, crossfade_s=args.crossfade,
                                progress=not args.quiet)
        for fmt, paths in written.items():
            shown = paths if not isinstance(paths, list) else f"{len(paths)} files in {out}/{fmt}"
            print(f"wrote {fmt}: {shown}", file=sys.stderr)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._format import format_hms
    from .api import find_highlights
    from .synth.media import make_livestream

    out = Path(args.dir)
    if out.exists() and any(out.iterdir()) and not (out / _DEMO_MARKER).exists():
        raise HighlightsError(
            f"{out} exists and is not a highlights demo folder; choose another with --dir."
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / _DEMO_MARKER).write_text("made by `highlights demo`; safe to delete\n")
    t0 = time.perf_counter()
    print(f"generating a {args.duration:g}-s synthetic livestream in {out}/ ...", file=sys.stderr)
    stream = make_livestream(out, duration_s=args.duration, seed=args.seed, overwrite=True)
    t1 = time.perf_counter()
    result = find_highlights(
        stream.video_path, chat=stream.chat_path, n=len(stream.moments) + 2,
        min_len_s=10.0, max_len_s=40.0, pad_s=(4.0, 2.0), min_gap_s=5.0,
        progress=not args.quiet,
    )
    t2 = time.perf_counter()
    print(result)
    if result.chat_lag_s is not None:
        print(f"\nchat lag: {_lag_text(result)}; planted {stream.chat_lag_s:.1f} s")
    print("\nplanted moments (ground truth):")
    found = 0
    for m in stream.moments:
        hit = next((c for c in result.clips if c.start_s <= m.peak_s <= c.end_s), None)
        found += hit is not None
        tag = f"found by clip #{hit.rank}" if hit else "MISSED"
        print(f"  {format_hms(m.start_s, ms=True)} - {format_hms(m.end_s, ms=True)}"
              f"  peak {format_hms(m.peak_s, ms=True)}  ({'+'.join(m.kinds)})  {tag}")
    print(f"recall: {found}/{len(stream.moments)} planted moments inside a returned clip")
    result.to_json(out / "highlights.json", overwrite=True)
    try:
        result.plot(path=out / "highlights.png", overwrite=True,
                    truth=[(m.start_s, m.end_s) for m in stream.moments])
        plotted = f", {out / 'highlights.png'}"
    except ImportError:
        plotted = " (install matplotlib for a plot)"
    print(f"\nwrote {out / 'highlights.json'}{plotted}")
    print(f"time: generate {t1 - t0:.1f} s, analyse {t2 - t1:.1f} s", file=sys.stderr)
    return 0


def _cmd_probe(args: argparse.Namespace) -> int:
    from .io.media import probe

    print(json.dumps(probe(args.source).to_dict(), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args)
    with warnings.catch_warnings():
        if args.quiet:
            warnings.simplefilter("ignore", HighlightsWarning)
        else:
            warnings.showwarning = _show_warning
        try:
            if args.command == "find":
                return _cmd_find(args)
            if args.command == "demo":
                return _cmd_demo(args)
            return _cmd_probe(args)
        except argparse.ArgumentTypeError as exc:
            parser.error(str(exc))
        except HighlightsError as exc:
            print(f"highlights: error: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("highlights: interrupted", file=sys.stderr)
            return 130
    return 0  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
