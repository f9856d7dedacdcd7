"""load_labels: every reader on real-shaped files, hostile files fuzzed with hypothesis."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import shared_path
from highlights import LabelError, LabelWarning, load_labels
from highlights.errors import HighlightsError
from highlights.labels import LABEL_FORMATS, Labels, detect_label_format, heatmap_spans
from highlights.types import Clip

DATA = Path(__file__).parent / "data" / "labels"
FIXTURES = sorted(p for p in DATA.iterdir() if p.is_file())


def test_twitch_helix_clips_null_offsets_reported_not_guessed():
    with pytest.warns(LabelWarning, match="no vod_offset"):
        lab = load_labels(DATA / "twitch_clips.json")
    assert lab.format == "twitch_clips"
    assert lab.array().tolist() == [[480.0, 508.3], [2105.0, 2135.0]]
    assert lab.weights[1] == 1.0 and 0 < lab.weights[0] < 0.5  # views, log-scaled
    assert any("LateClipNoVod" in n for n in lab.notes)


def test_twitch_clips_clipped_to_the_vod_with_a_warning():
    with pytest.warns(LabelWarning) as rec:
        lab = load_labels(DATA / "twitch_clips.json", duration_s=2120.0)
    assert lab.array()[-1].tolist() == [2105.0, 2120.0]
    assert any("clipped" in str(w.message) for w in rec)


def test_ytdlp_heatmap_peaks_documented_rules():
    lab = load_labels(DATA / "ytdlp.info.json")
    assert lab.format == "youtube_heatmap"
    # the first bin (everyone starts there) is not a peak; 252-288 grows over 216-324
    assert lab.array().tolist() == [[252.0, 324.0], [468.0, 504.0]]
    assert lab.weights.tolist() == [0.83, 0.7]


def test_heatmap_rules_on_a_plain_curve():
    starts = np.arange(10.0) * 10
    vals = [0.1, 0.1, 0.2, 0.9, 1.0, 0.8, 0.1, 0.1, 0.6, 0.1]
    out = heatmap_spans(starts, starts + 10, vals)
    assert out == [(30.0, 60.0, 1.0), (80.0, 90.0, 0.6)]


def test_real_youtube_most_replayed_markers():
    path = shared_path("youtube_most_replayed_sample", "QdtFtLuH4L4.heatmap.json")
    lab = load_labels(path)
    assert lab.format == "youtube_heatmap" and len(lab) >= 1
    raw = json.loads(path.read_text())
    end = max(int(r["startMillis"]) + int(r["durationMillis"]) for r in raw) / 1000
    arr = lab.array()
    assert (arr[:, 0] >= 0.03 * end).all() and (arr[:, 1] <= end + 1e-6).all()
    assert (np.diff(arr[:, 0]) > 0).all()


def test_csv_and_json_span_lists():
    csv_lab = load_labels(DATA / "spans.csv")
    assert csv_lab.array().tolist() == [[12.5, 40.0], [130.0, 165.5]]
    assert csv_lab.weights.tolist() == [1.0, 0.5]
    js = load_labels(DATA / "spans.json")
    assert js.array().tolist() == [[5.0, 20.0], [30.0, 45.0], [60.0, 80.0]]


def test_review_decisions_accepted_rejected_undecided():
    lab = load_labels(DATA / "review.json")
    assert lab.format == "review"
    assert lab.array().tolist() == [[12.0, 38.5], [300.0, 320.0]]  # edited range wins
    assert [(s.start_s, s.end_s) for s in lab.negatives] == [(100.0, 130.0)]
    assert any("undecided" in n for n in lab.notes)


def test_edl_made_elsewhere_black_reported(tmp_path):
    lab = load_labels(DATA / "premiere.edl", duration_s=7200)
    np.testing.assert_allclose(lab.array(), [[605.0, 635.0], [2460.5, 2480.5]])
    assert any("generated" in n for n in lab.notes)  # the BL event


def test_edl_clips_of_other_media_reported(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from media_factory import make_media

    vod = make_media(tmp_path / "other_name.mp4", duration_s=2.0)
    with pytest.warns(LabelWarning, match="other media"):
        lab = load_labels(DATA / "premiere.edl", vod=vod)
    assert len(lab) == 0 and lab.notes


def test_fcpxml_through_otio():
    pytest.importorskip("opentimelineio")
    lab = load_labels(DATA / "resolve.fcpxml")
    assert lab.format == "timeline"
    assert lab.array().tolist() == [[605.0, 635.0], [2460.0, 2480.0]]


@pytest.mark.parametrize("fmt,suffix", [("edl", ".edl"), ("otio", ".otio"), ("fcp7", ".xml"),
                                        ("json", ".json"), ("csv", ".csv")])
def test_our_own_exports_read_back(tmp_path, fmt, suffix):
    pytest.importorskip("opentimelineio")
    from highlights.export import export_clips

    clips = [Clip(12.0, 40.5, 30.0, 0.9, 1, label="a"), Clip(100.0, 130.0, 110.0, 0.5, 2)]
    vod = tmp_path / "vod.mp4"
    path = export_clips(clips, tmp_path / f"out{suffix}", format=fmt, media_path=vod, fps=30,
                        duration_s=600.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelWarning)
        lab = load_labels(path)
    got = sorted(lab.array().tolist())
    np.testing.assert_allclose(got, [[12.0, 40.5], [100.0, 130.0]], atol=1 / 30 + 1e-6)


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("hello there", "not a label file"),
    ('{"data": [{"vod_offset": "abc", "duration": 3}]}', "must be a number"),
    ('[{"start_s": 10, "end_s": 5}]', "ends before it starts"),
    ('[{"start_s": 1, "end_s": 5, "weight": 3}]', "weight"),
    ('{"schema": "highlights.review", "schema_version": 2, "clips": []}', "schema_version"),
    ('[{"start_s": NaN, "end_s": 5}]', "JSON"),
    ('{"heatmap": [{"start_time": 1}]}', "needs start_time"),
])
def test_bad_input_is_one_line(tmp_path, text, match):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(LabelError, match=match) as exc:
        load_labels(p)
    assert "\n" not in str(exc.value)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(LabelError, match="not found"):
        load_labels(tmp_path / "nope.json")
    with pytest.raises(LabelError, match="Unknown label format"):
        load_labels(DATA / "spans.csv", format="vtt")


def test_spans_wholly_outside_the_vod_are_reported(tmp_path):
    p = tmp_path / "s.json"
    p.write_text('[[10, 20], [700, 720]]')
    with pytest.warns(LabelWarning, match="1 outside it dropped"):
        lab = load_labels(p, duration_s=600)
    assert lab.array().tolist() == [[10.0, 20.0]]
    assert lab.notes


def test_detection_is_by_content():
    for p in FIXTURES:
        fmt = detect_label_format(p.read_bytes(), str(p))
        assert fmt in LABEL_FORMATS


# ------------------------------------------------------------------ fuzzing
SEEDS = [p.read_bytes() for p in FIXTURES]
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "dup"]))
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from(
                [b"null", b"-1e999", b"\"", b"{", b"]", b"NaN", b"<!ENTITY x 'y'>", b"00:",
                 b",", b"\x00", b"1e308", b"[[[[[[[[", b"\xff\xfe"]))
        elif op == "delete":
            del data[i: i + draw(st.integers(1, 40))]
        else:
            j = draw(st.integers(i, min(len(data), i + 60)))
            data[j:j] = data[i:j]
    return bytes(data)


def _check(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            lab = load_labels(path, duration_s=3600.0)
        except HighlightsError:
            return
    assert isinstance(lab, Labels)
    arr = lab.array()
    assert np.isfinite(arr).all() and ((arr[:, 1] > arr[:, 0]).all() if len(arr) else True)
    assert ((arr >= 0) & (arr <= 3600.0)).all()


@SETTINGS
@given(data=mutated())
def test_fuzz_mutated_label_files(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fz") / "labels"
    p.write_bytes(data)
    _check(p)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_fuzz_random_bytes(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fz") / "labels"
    p.write_bytes(data)
    _check(p)


@SETTINGS
@given(doc=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["data", "vod_offset", "duration", "view_count", "heatmap", "start_time",
                         "end_time", "value", "start_s", "end_s", "weight", "schema",
                         "schema_version", "clips", "decision", "startMillis",
                         "durationMillis", "intensityScoreNormalized", "spans"]),
        kids, max_size=5), max_leaves=20))
def test_fuzz_json_shapes(tmp_path_factory, doc):
    p = tmp_path_factory.mktemp("fz") / "labels.json"
    p.write_text(json.dumps(doc))
    _check(p)
