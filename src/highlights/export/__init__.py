"""Every writer of outputs: text and editor timelines, media cuts and renders, plots.

* :func:`export_clips` / :func:`render_text` (:mod:`.files`): clips as JSON, CSV,
  SRT, WebVTT, YouTube chapters, ffconcat, CMX 3600 and Resolve-marker EDL,
  OpenTimelineIO and Final Cut Pro 7 XML;
* :func:`cut_clips` (:mod:`.cut`): each clip as its own media file (stream copy or
  frame-exact re-encode);
* :func:`render_reel`, :func:`render_clip` (:mod:`.render`): clips rendered into one
  video, or one 9:16 short each (layouts: :mod:`.reframe`; loudness: :mod:`.loudness`);
* :func:`render_replay` (:mod:`.replay`): the whole recording, stream-copied, after a
  teaser of its best moments (:func:`render_replay_timeline`: the same as an editor
  timeline on the original); :func:`pick_covers`/:func:`write_cover` (:mod:`.covers`):
  cover frames;
* :func:`export_result` (:mod:`.bundle`): a whole result in several forms into one
  folder, all or nothing (what ``Highlights.export`` and ``highlights find --export``
  run); :func:`check_targets` and :func:`check_output_file` check outputs before any
  work;
* :func:`plot_highlights` (:mod:`.plot`): signals, score and clips on one time axis.

Nothing here is imported by ``import highlights``; PyAV, OpenTimelineIO and
matplotlib are imported only by the writers that need them.
"""

from __future__ import annotations

from ..selection.chapters import chapters_from_clips
from ._safe import one_line, safe_child, safe_filename
from .bundle import EXPORTS, check_output_file, check_targets, export_result, parse_formats
from .covers import Cover, pick_covers, write_cover
from .cut import CutResult, cut_clip, cut_clips
from .files import FORMATS, SUFFIXES, export_clips, render_text
from .render import RenderResult, render_clip, render_reel
from .replay import ReplayResult, render_replay, render_replay_timeline
from .text import chapters_text

__all__ = ["export_clips", "render_text", "FORMATS", "SUFFIXES", "chapters_text",
           "chapters_from_clips", "cut_clips", "cut_clip", "CutResult", "render_reel",
           "render_clip", "RenderResult", "one_line", "safe_child", "safe_filename",
           "export_result", "check_targets", "check_output_file", "parse_formats", "EXPORTS",
           "render_replay", "render_replay_timeline", "ReplayResult", "pick_covers",
           "write_cover", "Cover"]
