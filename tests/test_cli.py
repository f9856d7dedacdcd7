"""The command line, run in-process and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    shorts = sorted((out / "shorts").glob("*.mp4"))
    assert len(shorts) == len(clips)
    assert (out / "shorts" / "shorts.json").exists()
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


# ------------------------------------------------------------------ output paths (issue 10)


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """`highlights ...` as a user runs it: a real process (PYTHONPATH is inherited)."""
    return subprocess.run([sys.executable, "-m", "highlights", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def assert_one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("highlights: error: "), out.stderr
    return lines[0]


@pytest.mark.parametrize("case", ["out_is_file", "out_under_file", "clips_under_file",
                                  "json_under_file", "plot_under_file", "plot_in_proc"])
def test_unwritable_outputs_are_one_line_errors(stream, tmp_path, case):
    """Each used to end in a traceback from pathlib, os or matplotlib."""
    afile = tmp_path / "afile"
    afile.write_text("user data")
    args = {
        "out_is_file": ["--out", str(afile), "--export", "json"],
        "out_under_file": ["--out", str(afile / "sub"), "--export", "json,csv"],
        "clips_under_file": ["--out", str(afile / "sub"), "--export", "clips"],
        "json_under_file": ["--json", str(afile / "x.json")],
        "plot_under_file": ["--plot", str(afile / "x.png")],
        # /proc takes no new files, even from root (whom directory modes do not stop).
        "plot_in_proc": ["--plot", "/proc/highlights-test.png"],
    }[case]
    if case == "plot_in_proc" and not Path("/proc").is_dir():
        pytest.skip("no /proc")
    out = run_cli("find", str(stream.video_path), "-n", "1", "--min-len", "10", "-q", *args)
    line = assert_one_line_error(out)
    assert "afile" in line or "proc" in line
    assert afile.read_text() == "user data"


def test_read_only_folder_is_a_one_line_error(stream, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as root: directory modes do not stop writes "
                        "(test_unwritable_outputs_are_one_line_errors covers the path)")
        for args in (["--out", str(ro / "x"), "--export", "json"],
                     ["--out", str(ro), "--export", "clips"],
                     ["--plot", str(ro / "x.png")],
                     ["--json", str(ro / "x.json")]):
            out = run_cli("find", str(stream.video_path), "-n", "1", "-q", *args)
            assert "not writable" in assert_one_line_error(out)
        assert not list(ro.iterdir())
    finally:
        ro.chmod(0o700)


@pytest.mark.parametrize("option", ["json", "plot", "export", "clips_of_chat"])
def test_output_conflicts_are_found_before_the_analysis(stream, tmp_path, capsys, option):
    """The source is not media at all: an error about it means the analysis ran first."""
    not_media = tmp_path / "vod.mp4"
    not_media.write_bytes(b"\0" * 4096)
    (tmp_path / "old.json").write_text("{}")
    (tmp_path / "old.png").write_bytes(b"png")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "highlights.csv").write_text("mine")
    args = {
        "json": [str(not_media), "--json", str(tmp_path / "old.json")],
        "plot": [str(not_media), "--plot", str(tmp_path / "old.png")],
        "export": [str(not_media), "--export", "json,csv", "--out", str(tmp_path / "out")],
        "clips_of_chat": ["--chat", str(stream.chat_path), "--export", "json,clips",
                          "--out", str(tmp_path / "new")],
    }[option]
    assert main(["find", *args, "-q"]) == 1
    err = capsys.readouterr().err
    assert "vod.mp4" not in err and err.count("\n") == 1
    assert ("chat-only" if option == "clips_of_chat" else "overwrite") in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["highlights.csv"]
    assert not (tmp_path / "new").exists()


def test_json_dash_is_standard_output(stream, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["find", str(stream.video_path), "--chat", str(stream.chat_path), "-n", "2",
                 "--min-len", "10", "--max-len", "30", "--json", "-", "-q"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # stdout is the JSON document alone
    assert doc["schema"] == "highlights.result" and doc["clips"]
    assert "rank" in captured.err and "chat lag" in captured.err  # the table moved
    assert not (tmp_path / "-").exists()


def test_one_output_path_given_twice_is_a_usage_error(stream, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["find", str(stream.video_path), "--json", str(tmp_path / "highlights.json"),
              "--export", "json", "--out", str(tmp_path), "-q"])
    assert exc.value.code == 2
    assert not list(tmp_path.iterdir())


def test_output_options_share_one_naming_scheme(capsys):
    from highlights.cli import build_parser

    parser = build_parser()
    for command, expected in (("find", {"--out", "--export", "--json", "--plot",
                                        "--overwrite"}),
                              ("demo", {"--out"})):
        with pytest.raises(SystemExit):
            parser.parse_args([command, "--help"])
        text = capsys.readouterr().out
        assert "outputs:" in text
        for option in expected:
            assert option in text
    assert "--json PATH|-" in main_help("find")
    assert parser.parse_args(["demo", "--dir", "d"]).out == "d"  # the former name
    assert parser.parse_args(["demo"]).out == "highlights-demo"


def main_help(command: str) -> str:
    from highlights.cli import build_parser

    return build_parser()._subparsers._group_actions[0].choices[command].format_help()
