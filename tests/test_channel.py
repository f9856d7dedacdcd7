"""learn_channel and the align/learn commands on tiny synthetic streams."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from edit_factory import Card, Piece, make_edit
from highlights import LabelError
from highlights.channel import learn_channel, read_manifest
from highlights.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.fixture(scope="session")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import hardsuite

    d = tmp_path_factory.mktemp("channel")
    vods = []
    for seed in (9020, 9021, 9022):
        hs = hardsuite.make_hard_stream(d / f"s{seed}", seed=seed, duration_s=100.0,
                                        kind="sparse")
        spans = [[max(a - 1, 0), b + 1] for a, b in hs.moments]
        (d / f"s{seed}.spans.json").write_text(json.dumps(spans))
        vods.append({"video": f"s{seed}/stream.mp4", "chat": f"s{seed}/chat.json",
                     "labels": [f"s{seed}.spans.json"]})
    (d / "manifest.json").write_text(json.dumps({"channel": "t", "vods": vods}))
    return d


@pytest.mark.slow
def test_learn_channel_reports_cv_and_saves_a_model(channel, tmp_path):
    with pytest.warns(Warning):
        rep = learn_channel(channel / "manifest.json", out=tmp_path / "m.json",
                            cache=channel / "cache")
    assert rep.n_labelled == 3
    assert set(rep.table) >= {"learned", "default", "preset:game", "preset:talk"}
    assert all(0 <= v <= 1 for row in rep.table.values() for v in row.values())
    assert any("too few" in w for w in rep.warnings)
    assert (tmp_path / "m.json").exists() and rep.signal_weights
    assert "cross-validation" in str(rep)


@pytest.mark.slow
def test_cli_learn_then_find_with_the_model(channel, tmp_path, capsys):
    out = tmp_path / "channel.json"
    assert main(["learn", str(channel / "manifest.json"), "--out", str(out), "-q",
                 "--cache", str(channel / "cache")]) == 0
    assert "learned" in capsys.readouterr().out
    assert main(["learn", str(channel / "manifest.json"), "--out", str(out), "-q"]) == 1
    vod = channel / "s9020" / "stream.mp4"
    assert main(["find", str(vod), "--model", str(out), "-q", "--cache",
                 str(channel / "cache")]) == 0


@pytest.mark.slow
def test_cli_align_json(channel, tmp_path, capsys):
    vod = channel / "s9021" / "stream.mp4"
    truth = make_edit(tmp_path / "p.mp4", vod, [Piece(30, 38), Card(1.0)], geometry="fill")
    assert main(["align", str(vod), str(tmp_path / "p.mp4"), "--json", "-", "-q",
                 "--cache", str(channel / "cache")]) == 0
    doc = json.loads(capsys.readouterr().out)
    seg = doc["segments"][0]
    assert abs(seg["source_start_s"] - 30) <= 0.5 and abs(seg["source_end_s"] - 38) <= 0.5
    assert doc["gaps"] and abs(doc["gaps"][-1][1] - truth.duration_s) < 0.1


def test_manifest_errors_are_one_line(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"vods": []}')
    with pytest.raises(LabelError, match="non-empty 'vods'"):
        read_manifest(p)
    p.write_text('{"vods": [{"labels": []}]}')
    with pytest.raises(LabelError, match="needs a 'video'"):
        read_manifest(p)
    assert main(["learn", str(tmp_path / "missing.json"), "-q"]) == 1
