"""Command-line interface: ``highlights find | report | demo | probe | align | learn``.

Results go to stdout; progress, warnings and errors go to stderr.  Exit status: 0 on
success, 1 when an input cannot be read or an output cannot be written, 2 for a
usage error.

Every subcommand names its outputs the same way (:func:`_add_output_options`):
``--out DIR`` a folder of outputs (``report``: its page, an ``.html`` file or a folder),
``--json PATH`` (``-`` for standard output),
``--plot PATH``, ``--overwrite``; :func:`_check_outputs` checks them all before any
analysis.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from ._version import __version__
from .errors import HighlightsError, InvalidParameterError

__all__ = ["main", "build_parser"]

_DEMO_MARKER = ".highlights-demo"
#: Planted moments and chat lag of ``highlights demo`` (its --duration must hold them).
_DEMO_MOMENTS = 3
_DEMO_LAG_S = 6.0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        _usage_error(self.prog, message)


def _usage_error(prog: str, message: str) -> NoReturn:
    text = " ".join(message.split()).rstrip(".")
    print(f"{prog}: error: {text} (see '{prog} --help')", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------- option value types
def _number(text: str, constraint: str, ok: Callable[[float], bool]) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and ok(value)):
        raise argparse.ArgumentTypeError(f"must be {constraint}; got {text!r}")
    return value


def _positive(text: str) -> float:
    return _number(text, "a number > 0", lambda v: v > 0)


def _nonneg(text: str) -> float:
    return _number(text, "a number >= 0", lambda v: v >= 0)


def _finite(text: str) -> float:
    return _number(text, "a finite number", lambda v: True)


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}; got {text!r}")
        return value

    return parse


def _weight_item(text: str) -> tuple[str, float]:
    from .fusion import DEFAULT_WEIGHTS

    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expects NAME=NUMBER (e.g. chat_rate=2); got {text!r}")
    if name not in DEFAULT_WEIGHTS:
        raise argparse.ArgumentTypeError(
            f"unknown signal {name!r}; choose from {', '.join(DEFAULT_WEIGHTS)}")
    return name, _number(value, f"NAME=NUMBER with a number >= 0 for {name}",
                         lambda v: v >= 0)


def _stream_start(text: str) -> str:
    try:
        datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an ISO 8601 date and time such as 2024-05-01T18:00:00Z; got {text!r}"
        ) from None
    return text


def _weights(items: Sequence[tuple[str, float]] | None) -> dict[str, float] | None:
    return dict(items) if items else None


def _add_output_options(
    parser: argparse.ArgumentParser,
    *,
    out: str | None = None,
    out_default: str | None = None,
    out_metavar: str = "DIR",
    export: bool = False,
    json: bool = True,
    plot: bool = True,
    overwrite: bool = True,
) -> None:
    """Add the output options, named alike in every subcommand, as one help group.

    ``--out DIR`` (a folder of outputs; ``out`` is its help text, omitted when
    ``None``; ``out_metavar`` its placeholder), ``--export LIST`` (formats written
    into ``--out``), ``--json PATH|-`` (``-`` = standard output; human-readable output
    then goes to stderr), ``--plot PATH`` and ``--overwrite``.  A subcommand that
    writes outputs adds them with this function and checks them with
    :func:`_check_outputs` before doing any work.
    """
    group = parser.add_argument_group(
        "outputs", "existing files are never replaced without --overwrite; every output "
        "is checked before any work starts" if overwrite else None)
    if out is not None:
        group.add_argument("--out", metavar=out_metavar, default=out_default, help=out)
    if export:
        from .export.bundle import EXPORTS

        group.add_argument("--export", metavar="LIST",
                           help=f"comma-separated outputs written into --out: "
                           f"{', '.join(EXPORTS)}")
    if json:
        group.add_argument("--json", metavar="PATH|-",
                           help="write the result as JSON to PATH, or to standard output "
                           "with '-' (the clip table then goes to stderr)")
    if plot:
        group.add_argument("--plot", metavar="PATH",
                           help="save a timeline plot (PNG/SVG/PDF by suffix)")
    if overwrite:
        group.add_argument("--overwrite", action="store_true",
                           help="replace existing output files")


def _check_outputs(args: argparse.Namespace, *, exports: Sequence[str] = (),
                   out: Path | None = None, media: bool | None = None,
                   files: Mapping[str, Path] | None = None) -> None:
    """Check every output the options name, before any work (see :func:`_add_output_options`).

    ``files`` maps an option to one more output file it names (``report``'s page).

    Raises
    ------
    HighlightsError
        An output exists (without ``--overwrite``), cannot be created or written,
        or needs a package or the recording that is missing.
    argparse.ArgumentTypeError
        Two outputs are the same file.
    """
    from .export.bundle import check_output_file, check_targets

    overwrite = bool(getattr(args, "overwrite", False))
    named: dict[str, str] = {}
    json_path = getattr(args, "json", None)
    if json_path and json_path != "-":
        named["--json"] = os.path.realpath(
            check_output_file(json_path, overwrite=overwrite, what="--json"))
    plot_path = getattr(args, "plot", None)
    if plot_path:
        named["--plot"] = os.path.realpath(
            check_output_file(plot_path, overwrite=overwrite, format="plot", what="--plot"))
    for option, file in (files or {}).items():
        named[option] = os.path.realpath(
            check_output_file(file, overwrite=overwrite, what=option))
    if exports and out is not None:
        targets = check_targets(out, exports, overwrite=overwrite, media=media)
        named.update({f"--export {f}": os.path.realpath(p) for f, p in targets.items()})
    seen: dict[str, str] = {}
    for option, path in named.items():
        if path in seen:
            raise argparse.ArgumentTypeError(
                f"{seen[path]} and {option} both write {path}; give one of them another path."
            )
        seen[path] = option


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (exposed for documentation and tests)."""
    from .io.chat import CHAT_FORMATS

    p = _Parser(
        prog="highlights",
        description="Find the best moments in long livestream recordings.",
    )
    p.add_argument("--version", action="version", version=f"highlights {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = _Parser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no progress or status lines (warnings about the data are "
                        "still shown)")
    common.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")

    f = sub.add_parser("find", parents=[common], help="find highlights in a recording",
                       description="Find highlights in a recording and print a table of clips.")
    f.add_argument("source", nargs="?", default=None,
                   help="the recording (mp4, mkv, flv, ts, ...); omit it for a chat-only "
                   "analysis with --chat")
    f.add_argument("--chat", help="chat log (format detected from content)")
    f.add_argument("--chat-format", choices=("auto", *CHAT_FORMATS), default="auto",
                   metavar="FORMAT",
                   help="chat log format: auto (detect from content, the default) or one of "
                   + ", ".join(CHAT_FORMATS))
    f.add_argument("--stream-start", type=_stream_start, default=None, metavar="TIME",
                   help="wall-clock time of the recording's first frame, ISO 8601 (e.g. "
                   "2024-05-01T18:00:00Z; no zone = UTC): anchors a chat log with "
                   "wall-clock times (IRC, Chatterino) to the recording")
    f.add_argument("--chat-optional", action="store_true",
                   help="analyse the recording without the chat when the chat log yields "
                   "no usable events (default: that is an error)")
    f.add_argument("-n", type=_count(0), default=None, help="maximum number of clips (default 10)")
    f.add_argument("--min-len", type=_positive, default=None, metavar="S",
                   help="minimum clip length, seconds (default 15)")
    f.add_argument("--max-len", type=_positive, default=None, metavar="S",
                   help="maximum clip length, seconds (default 90)")
    f.add_argument("--pad", type=_nonneg, nargs=2, default=None, metavar=("PRE", "POST"),
                   help="pre-roll and post-roll, seconds (default 5 3)")
    f.add_argument("--min-gap", type=_nonneg, default=None, metavar="S",
                   help="minimum gap between clips, seconds (default 10)")
    f.add_argument("--threshold", type=_finite, default=None,
                   help="minimum fused score of a clip's peak (default 0 = baseline)")
    f.add_argument("--order", choices=("rank", "time"), default=None,
                   help="clip order: best first or chronological (default rank)")
    f.add_argument("--hop", type=_positive, default=0.5, metavar="S",
                   help="signal resolution, seconds (default 0.5)")
    f.add_argument("--video", choices=("auto", "keyframes", "sampled", "full", "none"),
                   default="auto", help="how much video to decode (default auto)")
    f.add_argument("--audio-stream", type=_count(0), default=None, metavar="I",
                   help="audio stream index among audio streams (default: best)")
    f.add_argument("--weight", action="append", type=_weight_item, metavar="NAME=W",
                   help="signal weight override, repeatable (e.g. --weight chat_rate=2)")
    f.add_argument("--model", metavar="FILE",
                   help="a channel model from `highlights learn` (instead of weights)")
    f.add_argument("--genre", choices=("game", "talk", "shopping"),
                   help="use the genre's weight preset (fitted on synthetic streams)")
    f.add_argument("--chat-lag", type=_nonneg, default=None, metavar="S",
                   help="seconds chat trails the action (default: estimated)")
    f.add_argument("--chat-offset", type=_finite, default=0.0, metavar="S",
                   help="seconds added to every chat time (default 0)")
    f.add_argument("--chat-encoding", default=None, metavar="ENC",
                   help="text encoding of the chat log, e.g. gb18030, big5, cp932, cp949, "
                   "cp1252 (default: detected)")
    f.add_argument("--preset", choices=("reel", "shorts", "teaser", "chapters"),
                   help="reel (3-5 min best-of), shorts (15-60 s clips), teaser (<= 20 s "
                   "montage), chapters (YouTube chapters); explicit options override it")
    f.add_argument("--budget", type=_positive, default=None, metavar="S",
                   help="maximum total length of the clips, seconds")
    f.add_argument("--no-snap", action="store_true",
                   help="keep raw clip edges (no snapping to scene cuts or pauses)")
    _add_output_options(
        f, out="output folder for --export (default: <source name>_highlights)", export=True)
    f.add_argument("--timelines", action="store_true",
                   help="--json also carries every signal and the fused score (what "
                   "'highlights report' draws its timeline from)")
    f.add_argument("--cut-mode", choices=("copy", "encode"), default="copy",
                   help="clips export: lossless stream copy (keyframe-aligned) or "
                   "frame-exact re-encode (default copy)")
    f.add_argument("--crossfade", type=float, default=0.0, metavar="S",
                   help="reel export: crossfade between clips, seconds (default 0)")
    f.add_argument("--layout", choices=("auto", "center", "track", "stack", "fit"),
                   default="auto",
                   help="shorts export: 9:16 framing - facecam on top of the gameplay "
                   "(stack), a window following the face or motion (track), the whole "
                   "picture over a blurred fill (fit), the centre, or auto per clip")
    f.add_argument("--cache", metavar="DIR", help="analysis cache folder (re-runs are instant)")
    f.add_argument("--workers", type=_count(1), default=None, metavar="N",
                   help="worker processes (default: all cores for media > 20 min)")

    r = sub.add_parser(
        "report", parents=[common],
        help="write the review page: look at the clips, accept or fix them",
        description="Write one self-contained HTML page to review the clips of a recording "
        "or of a result JSON: the timeline of every signal, a card per clip with "
        "thumbnails and a preview, and accept/reject/nudge decisions you download as "
        "JSON labels (schema highlights.review).  The page makes no network request.")
    r.add_argument("source", nargs="?", default=None,
                   help="a recording (analysed like 'highlights find' with default "
                   "selection), or a result JSON written by 'highlights find --json' "
                   "(add --timelines there, or the recording is re-analysed for the "
                   "timeline); omit it for a chat-only report with --chat")
    r.add_argument("--chat", help="chat log (format detected from content); with a result "
                   "JSON, used when the recording is re-analysed")
    r.add_argument("--chat-format", choices=("auto", *CHAT_FORMATS), default="auto",
                   metavar="FORMAT", help="chat log format: auto (the default) or one of "
                   + ", ".join(CHAT_FORMATS))
    r.add_argument("--stream-start", type=_stream_start, default=None, metavar="TIME",
                   help="wall-clock time of the recording's first frame, ISO 8601")
    r.add_argument("--chat-optional", action="store_true",
                   help="go on without the chat when the log yields no usable events")
    r.add_argument("-n", type=_count(0), default=None,
                   help="maximum number of clips of a new analysis (default 10)")
    r.add_argument("--preset", choices=("reel", "shorts", "teaser", "chapters"),
                   help="selection preset of a new analysis")
    r.add_argument("--no-thumbnails", action="store_true",
                   help="do not decode thumbnails (a smaller page, made faster)")
    _add_output_options(
        r, out="the review page: an .html file, or an existing folder to write "
        "<source name>_review.html into (default: <source name>_review.html here)",
        out_metavar="PATH", json=False, plot=False)
    r.add_argument("--cache", metavar="DIR", help="analysis cache folder (re-runs are instant)")
    r.add_argument("--workers", type=_count(1), default=None, metavar="N",
                   help="worker processes (default: all cores for media > 20 min)")

    d = sub.add_parser("demo", parents=[common],
                       help="generate a synthetic livestream and find its planted moments",
                       description="Generate a short synthetic livestream (video, audio and a "
                       "chat log with planted moments), run the full pipeline on it and print "
                       "the clips found next to the planted truth.")
    _add_output_options(d, out="output folder (default ./highlights-demo)",
                        out_default="highlights-demo", json=False, plot=False, overwrite=False)
    d.add_argument("--dir", dest="out", default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)  # the former name of --out
    d.add_argument("--seed", type=_count(0), default=0, help="random seed (default 0)")
    d.add_argument("--duration", type=_positive, default=120.0, metavar="S",
                   help="stream length, seconds (default 120)")

    al = sub.add_parser("align", parents=[common],
                        help="find where published videos come from in a VOD",
                        description="Align published edits (highlight videos, shorts) to "
                        "the VOD they were cut from: print, for each, the VOD spans it "
                        "shows (speed, confidence) and the parts that come from elsewhere.")
    al.add_argument("vod", help="the source recording")
    al.add_argument("published", nargs="+", help="published videos cut from it")
    al.add_argument("--cache", metavar="DIR", help="analysis cache folder (shared with find)")
    _add_output_options(al, plot=False)

    ln = sub.add_parser("learn", parents=[common],
                        help="fit a channel model from the labels it already has",
                        description="Read a manifest of VODs and their label sources "
                        "(Twitch clips, YouTube heatmaps, editor timelines, span lists, "
                        "review decisions, published videos), fit a highlight model, and "
                        "report how it compares with the defaults in cross-validation "
                        "grouped by VOD.  Use the model with `find --model`.")
    ln.add_argument("manifest", help="JSON (or TOML) manifest: {\"vods\": [{\"video\", "
                    "\"chat\", \"labels\": [...]}]}")
    ln.add_argument("--cache", metavar="DIR", help="analysis cache folder")
    _add_output_options(ln, out="the fitted model, a JSON file for `find --model`",
                        plot=False)

    pr = sub.add_parser("probe", parents=[common], help="print what a media file contains",
                        description="Print what a media file contains and which of its "
                        "streams `highlights find` would analyse.")
    pr.add_argument("source")
    pr.add_argument("--json", action="store_true", help="print the details as JSON")
    return p


# ----------------------------------------------------------------- CLI spelling
#: API parameter -> CLI option, per command (for messages about a parameter).
_OPTIONS: dict[str, dict[str, str]] = {
    "find": {
        "n": "-n", "min_len_s": "--min-len", "max_len_s": "--max-len", "pad_s": "--pad",
        "min_gap_s": "--min-gap", "threshold": "--threshold", "order": "--order",
        "budget_s": "--budget", "snap": "--no-snap", "hop_s": "--hop", "video": "--video",
        "audio_stream": "--audio-stream", "weights": "--weight", "chat_lag_s": "--chat-lag",
        "chat_offset_s": "--chat-offset", "offset_s": "--chat-offset",
        "chat_format": "--chat-format", "format": "--chat-format",
        "chat_stream_start": "--stream-start", "stream_start": "--stream-start",
        "chat_required": "--chat-optional", "preset": "--preset", "workers": "--workers",
        "cache": "--cache", "cut_mode": "--cut-mode", "crossfade_s": "--crossfade",
        "layout": "--layout", "overwrite": "--overwrite", "model": "--model",
    },
    "report": {
        "n": "-n", "preset": "--preset", "chat_format": "--chat-format",
        "format": "--chat-format", "chat_stream_start": "--stream-start",
        "stream_start": "--stream-start", "chat_required": "--chat-optional",
        "workers": "--workers", "cache": "--cache", "overwrite": "--overwrite",
    },
    "demo": {"duration_s": "--duration", "seed": "--seed"},
    "probe": {},
    "align": {"cache": "--cache"},
    "learn": {"cache": "--cache", "overwrite": "--overwrite"},
}
#: Parameter names that are translated wherever they appear in a message (names that
#: are never chat column names or plain words).
_BARE = ("min_len_s", "max_len_s", "min_gap_s", "budget_s", "hop_s", "chat_lag_s",
         "chat_offset_s", "pad_s", "chat_stream_start", "stream_start", "duration_s")
#: Hints written for Python callers, and how the command line says them.
_HINTS: list[tuple[str, str]] = [
    (r"\bchat_required=False\b", "--chat-optional"),
    (r"\boverwrite=True\b", "--overwrite"),
    (r"\b(?:chat_)?format=", "--chat-format"),
    (r"\bstream_start/offset_s\b", "--stream-start/--chat-offset"),
    (r"\bn=(\d+)", r"-n \1"),
    (r"\ba lower threshold\b", "a lower --threshold"),
]
_PARAM_ERROR = re.compile(
    r"^The (['\"])(?P<name>.+?)\1 parameter(?: of (?P<func>[\w.]+))? must be "
    r"(?P<constraint>.+?)\.? Got (?P<value>.+?)(?: instead)?\.$",
    re.S,
)


def _cli_text(text: str, command: str) -> str:
    """``text`` (a library message) with API spellings replaced by CLI options, one line."""
    out = " ".join(str(text).split())
    for pattern, repl in _HINTS:
        out = re.sub(pattern, repl, out)
    options = _OPTIONS.get(command, {})

    def bare(m: re.Match[str]) -> str:
        return options.get(m.group(1), m.group(0))

    names = "|".join(n for n in _BARE if n in options)
    if names:
        out = re.sub(rf"(?<![\w.-])({names})\b=?", bare, out)
    return out


def _parameter_error(exc: InvalidParameterError, command: str) -> tuple[int, str]:
    """(exit status, message) for a bad parameter: 2 with the option when it is one."""
    m = _PARAM_ERROR.match(" ".join(str(exc).split()))
    if m is None:
        return 1, _cli_text(str(exc), command)
    name, constraint, value = m["name"], m["constraint"], m["value"]
    base = re.match(r"\w+", name)
    option = _OPTIONS.get(command, {}).get(base.group(0) if base else name)
    about = re.search(r"about (\d+) s", constraint)
    if command == "demo" and name == "duration_s" and about:
        constraint = f"at least about {about.group(1)} s (room for the planted moments)"
    constraint = _cli_text(constraint, command)
    if option is None:
        return 1, f"invalid {name}: must be {constraint}; got {value}."
    item = name[len(base.group(0)):] if base else ""
    sub = re.sub(r"^\[(['\"])(.*)\1\]$", r"\2 ", item)
    return 2, f"argument {option}: {sub}must be {constraint}; got {value}"


# ----------------------------------------------------------------- stderr
class _Formatter(logging.Formatter):
    def __init__(self, command: str) -> None:
        super().__init__()
        self.command = command

    def format(self, record: logging.LogRecord) -> str:
        text = _cli_text(record.getMessage(), self.command)
        if record.levelno >= logging.WARNING:
            return f"highlights: {record.levelname.lower()}: {text}"
        return f"highlights: {record.levelname.lower()}: {record.name}: {text}"


def _setup_logging(args: argparse.Namespace) -> logging.Handler:
    """Library log records on stderr in the CLI's style; -q keeps only errors."""
    level = (logging.DEBUG if args.verbose else logging.ERROR if args.quiet
             else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(args.command))
    logger = logging.getLogger("highlights")
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler


def _warning_printer(command: str) -> Callable[..., None]:
    def show(message: Any, category: Any, filename: str, lineno: int,
             file: Any = None, line: Any = None) -> None:
        print(f"highlights: warning: {_cli_text(str(message), command)}", file=sys.stderr)

    return show


def _status(args: argparse.Namespace, text: str) -> None:
    """A status line on stderr (hidden by -q)."""
    if not args.quiet:
        print(text, file=sys.stderr)


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
    if args.model and (args.genre or args.weight):
        raise argparse.ArgumentTypeError("--model replaces the weights: drop --genre/--weight.")
    chat_only = [opt for opt, given in (("--chat-format", args.chat_format != "auto"),
                                        ("--stream-start", args.stream_start is not None),
                                        ("--chat-optional", args.chat_optional)) if given]
    if chat_only and args.chat is None:
        raise argparse.ArgumentTypeError(f"{chat_only[0]} needs a --chat log.")
    if args.timelines and not args.json:
        raise argparse.ArgumentTypeError("--timelines needs --json (it adds the timelines "
                                         "to the JSON result).")
    out = None
    if exports:
        stem = Path(args.source or args.chat).stem
        out = Path(args.out) if args.out else Path(f"{stem}_highlights")
    # Every output is checked now: a conflict must not cost a whole analysis.
    _check_outputs(args, exports=exports, out=out, media=args.source is not None)
    result = find_highlights(
        args.source, chat=args.chat, n=args.n, preset=args.preset, min_len_s=args.min_len,
        max_len_s=args.max_len, pad_s=None if args.pad is None else tuple(args.pad),
        min_gap_s=args.min_gap, threshold=args.threshold, order=args.order,
        budget_s=args.budget, snap=False if args.no_snap else None, hop_s=args.hop,
        video=args.video, audio_stream=args.audio_stream,
        weights=args.genre if args.genre and not args.weight else _weights(args.weight),
        chat_format=args.chat_format, chat_stream_start=args.stream_start,
        chat_lag_s=args.chat_lag, chat_offset_s=args.chat_offset,
        chat_required=not args.chat_optional, progress=not args.quiet,
        chat_encoding=args.chat_encoding,
        workers=args.workers, cache=args.cache, model=args.model,
    )
    # With --json -, standard output holds the JSON alone; the table goes to stderr.
    table = sys.stderr if args.json == "-" else sys.stdout
    print(result, file=table)
    if result.chat_lag_s is not None:
        print(f"chat lag: {_lag_text(result)}", file=table)
    if args.json == "-":
        sys.stdout.write(result.to_json(include_timelines=args.timelines) + "\n")
        sys.stdout.flush()
    elif args.json:
        result.to_json(args.json, overwrite=args.overwrite, include_timelines=args.timelines)
        print(f"wrote {Path(args.json).absolute()}", file=sys.stderr)
    if args.plot:
        result.plot(path=args.plot, overwrite=args.overwrite)
        print(f"wrote {Path(args.plot).absolute()}", file=sys.stderr)
    if exports and out is not None:
        written = result.export(out, formats=exports, overwrite=args.overwrite,
                                cut_mode=args.cut_mode, crossfade_s=args.crossfade,
                                progress=not args.quiet, layout=args.layout)
        for fmt, paths in written.items():
            shown = (paths if not isinstance(paths, list)
                     else f"{len(paths)} files in {Path(out).absolute() / fmt}")
            print(f"wrote {fmt}: {shown}", file=sys.stderr)
    return 0


def _report_target(args: argparse.Namespace, stem: str) -> Path:
    """The page ``report --out`` names: an .html file, or a file in an existing folder."""
    name = f"{stem or 'highlights'}_review.html"
    if args.out is None:
        return Path(name)
    out = Path(args.out)
    if out.suffix.lower() in (".html", ".htm"):
        return out
    if out.is_dir():
        return out / name
    if out.exists():
        raise argparse.ArgumentTypeError(
            f"--out: {args.out!r} is neither an .html file nor a folder.")
    raise argparse.ArgumentTypeError(
        f"--out: the folder {args.out!r} does not exist; create it, or give a path ending "
        "in .html.")


def _cmd_report(args: argparse.Namespace) -> int:
    from .api import find_highlights

    if args.source is None and args.chat is None:
        raise argparse.ArgumentTypeError("give a recording, a result JSON, a --chat log, "
                                         "or a recording and its --chat log.")
    chat_only = [opt for opt, given in (("--chat-format", args.chat_format != "auto"),
                                        ("--stream-start", args.stream_start is not None),
                                        ("--chat-optional", args.chat_optional)) if given]
    if chat_only and args.chat is None:
        raise argparse.ArgumentTypeError(f"{chat_only[0]} needs a --chat log.")
    is_doc = args.source is not None and Path(args.source).suffix.lower() == ".json"
    if is_doc:
        given = [opt for opt, on in (("-n", args.n is not None),
                                     ("--preset", args.preset is not None)) if on]
        if given:
            raise argparse.ArgumentTypeError(
                f"{given[0]} chooses the clips of a new analysis; a result JSON has its "
                "clips (re-run 'highlights find' to choose others).")
    stem = Path(args.source or args.chat).stem
    target = _report_target(args, stem)
    _check_outputs(args, files={"--out": target})
    thumbs = not args.no_thumbnails
    if is_doc:
        doc = _read_result_doc(args)
        if not doc.timelines and doc.score is None:
            doc = _reanalyse(doc, args)
        subject: Any = doc
        clips = doc.clips
    else:
        result = find_highlights(
            args.source, chat=args.chat, n=args.n, preset=args.preset,
            chat_format=args.chat_format, chat_stream_start=args.stream_start,
            chat_required=not args.chat_optional, progress=not args.quiet,
            workers=args.workers, cache=args.cache,
        )
        print(result)
        if result.chat_lag_s is not None:
            print(f"chat lag: {_lag_text(result)}")
        subject = result
        clips = result.clips
    from .export.report import write_report

    has_video = subject.media is not None and subject.media.has_video
    _status(args, f"writing the review page ({len(clips)} clips"
            f"{', decoding thumbnails' if thumbs and has_video else ''}) ...")
    path = write_report(subject, target, thumbnails=thumbs, overwrite=args.overwrite)
    size = path.stat().st_size
    print(f"wrote {path} ({_size_text(size)})", file=sys.stderr)
    return 0


def _read_result_doc(args: argparse.Namespace) -> Any:
    """``args.source`` as a result document; a chat log given there gets a hint."""
    from .errors import DocumentError
    from .io.results import read_result

    try:
        return read_result(args.source)
    except DocumentError as exc:
        if "not a highlights result" in str(exc):
            raise DocumentError(f"{exc} A chat log goes with --chat (omit the source for a "
                                "chat-only report).", path=exc.path) from None
        raise


def _reanalyse(doc: Any, args: argparse.Namespace) -> Any:
    """Timelines for a result JSON without them: analyse its recording again (cache-aware)."""
    from .api import analyze, select

    params = doc.params
    media_path: Path | None = None
    chat = args.chat
    if doc.media is None:  # a chat-only result: its source is the chat log
        found = doc.locate(doc.source)
        chat = chat or (None if found is None else str(found))
        if not chat:
            _status(args, "the result JSON has no timelines and its chat log is not there; "
                    "the page shows the clips without them")
            return doc
    else:
        media_path = doc.locate(doc.media.path)
        if media_path is None:
            _status(args, f"the result JSON has no timelines and the recording "
                    f"{doc.media.path} is not there; the page shows the clips without them")
            return doc
    _status(args, "the result JSON has no timelines: analysing the recording again"
            + (f" (through the cache {args.cache})" if args.cache else "") + " ...")
    analysis = analyze(
        media_path, chat=chat, hop_s=doc.hop_s, video=params.get("video") or "auto",
        sample_fps=params.get("sample_fps") or 2.0, audio_stream=params.get("audio_stream"),
        chat_format=args.chat_format,
        chat_stream_start=args.stream_start or params.get("chat_stream_start"),
        chat_lag_s=doc.chat_lag_s if chat is not None else None,
        chat_required=not args.chat_optional,
        duration_s=doc.duration_s if media_path is None else None,
        progress=not args.quiet, workers=args.workers, cache=args.cache,
    )
    weights = params.get("weights") if isinstance(params.get("weights"), dict) else None
    if weights is not None:  # signals that were not re-created are listed on the page
        weights = {k: v for k, v in weights.items() if k in analysis.timelines}
    fused = select(analysis, weights=weights, baseline_s=params.get("baseline_s", 600.0),
                   smooth_s=params.get("smooth_s", 3.0))
    how = "re-analysed from the recording" if media_path else "re-analysed from the chat log"
    if args.cache:
        how += f" through the cache {args.cache}"
    how += " (the result JSON carries signal names only)"
    missing = sorted(set(doc.signals) - set(fused.timelines))
    if missing:
        how += (f"; not re-created: {', '.join(missing)}"
                + (" (give the chat log with --chat)"
                   if any(m.startswith("chat_") for m in missing) and chat is None else ""))
    if params.get("model"):
        how += "; the score is re-fused with fixed weights, not the result's learned model"
    return doc.with_timelines(fused.timelines, fused.score, origin=how)


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._format import format_hms
    from .api import find_highlights
    from .synth.media import make_livestream
    from .synth.plan import make_plan

    # The plan is cheap: a --duration too short for the moments fails before any file.
    make_plan(duration_s=args.duration, seed=args.seed, n_moments=_DEMO_MOMENTS,
              chat_lag_s=_DEMO_LAG_S)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not (out / _DEMO_MARKER).exists():
        raise HighlightsError(
            f"{out} exists and is not a highlights demo folder; choose another with --out."
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / _DEMO_MARKER).write_text("made by `highlights demo`; safe to delete\n")
    t0 = time.perf_counter()
    _status(args, f"generating a {args.duration:g}-s synthetic livestream in {out}/ ...")
    stream = make_livestream(out, duration_s=args.duration, seed=args.seed,
                             n_moments=_DEMO_MOMENTS, chat_lag_s=_DEMO_LAG_S, overwrite=True)
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
    _status(args, f"time: generate {t1 - t0:.1f} s, analyse {t2 - t1:.1f} s")
    return 0


def _write_json_text(args: argparse.Namespace, text: str) -> None:
    """``--json``: the document to standard output (``-``) or, atomically, to a file."""
    if args.json == "-":
        sys.stdout.write(text + "\n")
    elif args.json:
        from ._atomic import atomic_write_text

        atomic_write_text(Path(args.json), text + "\n", overwrite=args.overwrite)
        print(f"wrote {Path(args.json).absolute()}", file=sys.stderr)


def _cmd_align(args: argparse.Namespace) -> int:
    from .published import align_published

    _check_outputs(args)
    result = align_published(args.vod, list(args.published), cache=args.cache,
                             progress=not args.quiet)
    table = sys.stderr if args.json == "-" else sys.stdout
    for al in result:
        print(al, file=table)
        for note in al.notes:
            print(f"  note: {note}", file=table)
    doc = [al.to_dict() for al in result]
    text = json.dumps(doc if len(doc) > 1 else doc[0], indent=1)
    _write_json_text(args, text)
    return 0


def _cmd_learn(args: argparse.Namespace) -> int:
    from .channel import learn_channel
    from .export.bundle import check_output_file

    _check_outputs(args)
    if args.out:
        check_output_file(args.out, overwrite=args.overwrite, what="--out")
    report = learn_channel(args.manifest, out=args.out, cache=args.cache,
                           overwrite=args.overwrite, progress=not args.quiet)
    table = sys.stderr if args.json == "-" else sys.stdout
    print(report, file=table)
    text = json.dumps(report.to_dict(), indent=1)
    _write_json_text(args, text)
    return 0


def _cmd_probe(args: argparse.Namespace) -> int:
    from .io.media import probe

    info = probe(args.source)
    if args.json:
        print(json.dumps(info.to_dict(), indent=2))
    else:
        print(_probe_text(info))
    return 0


def _one_line(exc: BaseException) -> str:
    """An error message on one line (a path may hold a newline)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _size_text(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit} ({n:,} bytes)"
    return f"{n} bytes"


def _probe_text(info: Any) -> str:
    """A readable summary of a :class:`~highlights.MediaInfo`."""
    from ._format import format_hms

    rows = [("file", info.path), ("container", info.format_name),
            ("duration", format_hms(info.duration_s, ms=True)
             + (f" (timestamps start at {info.start_s:.3f} s)" if info.start_s else "")),
            ("size", _size_text(info.size_bytes)),
            ("streams", f"{info.n_video_streams} video, {info.n_audio_streams} audio")]
    if info.has_video:
        video = (f"{info.video_codec}, {info.width}x{info.height}, "
                 f"{round(info.fps, 3):g} fps, rotation {info.rotation}°")
        if info.rotation in (90, -90):
            video += f" (shown as {info.height}x{info.width})"
        rows.append(("video", video))
    else:
        rows.append(("video", "none"))
    if info.has_audio:
        channels = "1 channel" if info.channels == 1 else f"{info.channels} channels"
        rows.append(("audio", f"{info.audio_codec}, {info.sample_rate} Hz, {channels}"))
    else:
        rows.append(("audio", "none"))
    used = []
    if info.has_video:
        used.append(f"video stream {info.video_stream} (of {info.n_video_streams})")
    if info.has_audio:
        pick = "; choose with --audio-stream" if info.n_audio_streams > 1 else ""
        used.append(f"audio stream {info.audio_stream} (of {info.n_audio_streams}{pick})")
    rows.append(("analysed", ", ".join(used)))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command
    handler = _setup_logging(args)
    try:
        with warnings.catch_warnings():
            # Every warning is shown (-q hides progress and status lines, not problems
            # with the data), once per place, in the CLI's style.
            warnings.simplefilter("default")
            warnings.showwarning = _warning_printer(command)
            try:
                if command == "find":
                    return _cmd_find(args)
                if command == "demo":
                    return _cmd_demo(args)
                if command == "report":
                    return _cmd_report(args)
                if command == "align":
                    return _cmd_align(args)
                if command == "learn":
                    return _cmd_learn(args)
                return _cmd_probe(args)
            except argparse.ArgumentTypeError as exc:
                _usage_error(f"highlights {command}", str(exc))
            except InvalidParameterError as exc:
                status, message = _parameter_error(exc, command)
                if status == 2:
                    _usage_error(f"highlights {command}", message)
                print(f"highlights: error: {message}", file=sys.stderr)
                return status
            except HighlightsError as exc:
                print(f"highlights: error: {_cli_text(_one_line(exc), command)}", file=sys.stderr)
                return 1
            except OSError as exc:  # an input or output the library did not wrap: one line
                print(f"highlights: error: {_one_line(exc)}", file=sys.stderr)
                return 1
            except KeyboardInterrupt:
                print("highlights: interrupted", file=sys.stderr)
                return 130
    finally:
        logging.getLogger("highlights").removeHandler(handler)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
