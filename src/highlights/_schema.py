"""Names and versions of every JSON document the library writes, in one place.

Other tools read these files, so each document carries ``"schema"`` and
``"schema_version"``.  A version changes whenever a field is renamed, removed or
changes meaning; adding a field does not change it.

================================ ========================================================
``highlights.result`` v3         a whole result (:meth:`highlights.Highlights.to_json`)
``highlights.clips`` v1          a clip list (``export_clips(format="json")``)
``highlights.review`` v1         a producer's decisions on a result's clips, downloaded
                                 from the review page (:mod:`highlights.export.report`);
                                 read by :func:`highlights.io.review.read_review`
``highlights.shorts`` v1         the ``shorts`` export's index (title, layout, loudness)
``highlights.covers`` v1         the ``covers`` export's index (rank -> ``cover_s``, title)
``highlights.replay`` v1         the ``replay`` export's index (teaser length, loudness)
``highlights.alignment`` v1      a published video aligned to its VOD
                                 (:meth:`highlights.published.Alignment.to_dict`)
``highlights.labels`` v1         labels read from any source (:meth:`highlights.Labels.to_dict`)
================================ ========================================================
"""

from __future__ import annotations

__all__ = ["RESULT_SCHEMA", "RESULT_SCHEMA_VERSION", "CLIPS_SCHEMA", "CLIPS_SCHEMA_VERSION",
           "REVIEW_SCHEMA", "REVIEW_SCHEMA_VERSION", "PUBLISH_SCHEMA_VERSION",
           "ALIGNMENT_SCHEMA", "ALIGNMENT_SCHEMA_VERSION", "LABELS_SCHEMA",
           "LABELS_SCHEMA_VERSION"]

#: A whole result: clips, parameters, media, chat lag, notes (and optionally timelines).
RESULT_SCHEMA = "highlights.result"
#: Version 2: ``duration_s`` is the media's duration (was the score grid's end).
#: Version 3: ``chat_lag_s`` is the chat's onset after the action's onset (v1/v2: after
#: the loudest point of the action, about 1-4 s less); ``chat_lag_method`` is one of
#: ``"given"``, ``"video"``, ``"estimated"``, ``"shrunk"``, ``"prior"`` (v1/v2:
#: ``"given"``, ``"estimated"``, ``"default"``); ``chat_time_base`` is added.
RESULT_SCHEMA_VERSION = 3
#: A clip list with the media it refers to.
CLIPS_SCHEMA = "highlights.clips"
CLIPS_SCHEMA_VERSION = 1
#: A producer's decisions on a result's clips (accepted / rejected / undecided, edited
#: edges) plus the recording's identity: labels a model can be fitted from.
REVIEW_SCHEMA = "highlights.review"
REVIEW_SCHEMA_VERSION = 1
#: The publishing indexes (``shorts.json``, ``covers.json``, ``replay.json``).
PUBLISH_SCHEMA_VERSION = 1
#: A published video aligned to its VOD: segments (source/published spans, speed,
#: confidence) and gaps.
ALIGNMENT_SCHEMA = "highlights.alignment"
ALIGNMENT_SCHEMA_VERSION = 1
#: Labels (spans in VOD seconds with a weight and their origin).
LABELS_SCHEMA = "highlights.labels"
LABELS_SCHEMA_VERSION = 1
