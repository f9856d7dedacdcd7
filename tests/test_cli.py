"""The command line, run in-process and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import av
import pytest

from highlights.cli import main
from highlights.synth import make_livestream


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    return make_livestream(tmp_path_factory.mktemp("cli"), duration_s=60.0, seed=5)


def test_find_prints_table_and_writes_json(stream, tmp_path, capsys):
    out = tmp_path / "out.json"
    code = main(["find", str(stream.video_path), "--chat", str(stream.chat_path), "-n", "3",
                 "--min-len", "10", "--max-len", "30", "--min-gap", "5", "--json", str(out), "-q"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "rank" in printed and "0:00:" in printed
    doc = json.loads(out.read_text())
    assert 1 <= len(doc["clips"]) <= 3
    # Refuses to overwrite without --overwrite (exit status 1, clear message).
    code = main(["find", str(stream.video_path), "-n", "1", "--min-len", "10", "--json",
                 str(out), "-q"])
    assert code == 1
    assert "overwrite" in capsys.readouterr().err


def test_missing_file_exits_1(tmp_path, capsys):
    assert main(["find", str(tmp_path / "missing.mp4"), "-q"]) == 1
    assert "missing.mp4" in capsys.readouterr().err


def test_usage_error_exits_2(stream):
    with pytest.raises(SystemExit) as exc:
        main(["find", str(stream.video_path), "--video", "bogus"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["find", str(stream.video_path), "--weight", "chat_rate"])
    assert exc.value.code == 2


def test_probe(stream, capsys):
    assert main(["probe", str(stream.video_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["has_video"] if "has_video" in info else info["video_stream"] is not None
    assert info["duration_s"] == pytest.approx(60.0, abs=0.5)


@pytest.mark.slow
def test_demo_subprocess(tmp_path):
    """`highlights demo` as a user runs it: a real process, default settings."""
    out = subprocess.run(
        [sys.executable, "-m", "highlights", "demo", "--dir", str(tmp_path / "demo"),
         "--duration", "60", "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "planted moments" in out.stdout and "recall:" in out.stdout
    assert (tmp_path / "demo" / "highlights.json").exists()
    # A second run reuses its own folder.
    again = subprocess.run(
        [sys.executable, "-m", "highlights", "demo", "--dir", str(tmp_path / "demo"),
         "--duration", "60", "-q"], capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 0, again.stderr


def test_demo_refuses_foreign_folder(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("user data")
    assert main(["demo", "--dir", str(tmp_path), "-q"]) == 1
    assert (tmp_path / "mine.txt").read_text() == "user data"


def test_find_with_preset_and_exports(stream, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["find", str(stream.video_path), "--chat", str(stream.chat_path),
                 "--preset", "shorts", "--min-len", "10", "--max-len", "20", "-n", "2",
                 "--export", "edl,otio,chapters,srt,vtt,csv,json,ffconcat,clips,reel,shorts,plot",
                 "--out", str(out), "-q"])
    assert code == 0, capsys.readouterr().err
    for name in ("highlights.edl", "highlights.otio", "chapters.txt",
                 "highlights.srt", "highlights.vtt", "highlights.csv", "highlights.json",
                 "highlights.ffconcat", "highlights.png"):
        assert (out / name).stat().st_size > 0, name
    clips = sorted((out / "clips").iterdir())
    assert 1 <= len(clips) <= 2
    shorts = sorted((out / "shorts").iterdir())
    assert len(shorts) == len(clips)
    with av.open(str(shorts[0])) as f:
        v = f.streams.video[0]
        assert v.height > v.width  # 9:16
    assert (out / "reel.mp4").stat().st_size > 0
    for c in clips:
        with av.open(str(c)) as f:
            assert f.streams.video and f.duration and f.duration > 0
    assert (out / "chapters.txt").read_text().startswith("0:00")
    # Exporting again without --overwrite is refused before anything is written.
    code = main(["find", str(stream.video_path), "--preset", "shorts", "--min-len", "10",
                 "--max-len", "20", "--export", "json", "--out", str(out), "-q"])
    assert code == 1 and "overwrite" in capsys.readouterr().err


def test_chapters_preset_cli(stream, tmp_path):
    out = tmp_path / "ch"
    assert main(["find", str(stream.video_path), "--preset", "chapters", "--export",
                 "chapters", "--out", str(out), "-q"]) == 0
    lines = (out / "chapters.txt").read_text().splitlines()
    assert lines[0].startswith("0:00") and len(lines) >= 3


def test_unknown_export_is_usage_error(stream):
    with pytest.raises(SystemExit) as exc:
        main(["find", str(stream.video_path), "--export", "mp3", "-q"])
    assert exc.value.code == 2


def test_chat_only_cli(stream, capsys):
    assert main(["find", "--chat", str(stream.chat_path), "-n", "2", "--min-len", "10",
                 "--max-len", "20", "-q"]) == 0
    out = capsys.readouterr().out
    assert "chat.json" in out and "rank" in out
    with pytest.raises(SystemExit) as exc:
        main(["find", "-q"])
    assert exc.value.code == 2
