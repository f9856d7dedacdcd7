"""Every CLI error and warning path of issue 10 (items 6-13), through the real command line.

Each error must exit 2 (usage: a bad option value) or 1 (an input that cannot be
processed), print exactly one line on stderr, name CLI options (``--max-len``), never
API parameters or internal functions (``max_len_s``, ``pick_clips``), and never show a
traceback.  Most cases run ``highlights.cli.main`` in-process (fast); a few run
``python -m highlights`` as a user would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import highlights
from highlights.cli import main
from media_factory import make_media, truncate

# API spellings that must never reach a CLI user.
_API_WORDS = re.compile(
    r"pick_clips|make_plan|find_highlights|load_chat|resolve_selection|"
    r"\b(?:n|min_len_s|max_len_s|hop_s|duration_s|budget_s|chat_required|stream_start|"
    r"offset_s|chat_format|weights|overwrite)=|'(?:min_len_s|max_len_s|hop_s|duration_s|n)'|"
    r"\bmax_len_s\b|\bmin_len_s\b|\bstream_start\b|\bparameter of\b|Errno|Traceback"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli_errors")
    out = {"mp4": make_media(d / "a.mp4", duration_s=8.0, bursts_s=((3.0, 4.0),))}
    out["mkv_cut"] = truncate(make_media(d / "cut.mkv", duration_s=12.0, fmt="matroska"), 0.5)
    (d / "hello.json").write_text('{"hello":[1,2,3]}\n')
    out["json"] = d / "hello.json"
    (d / "note.xml").write_text("<root><x/></root>\n")
    out["xml"] = d / "note.xml"
    (d / "empty.txt").write_bytes(b"")
    out["empty"] = d / "empty.txt"
    (d / "odd.log").write_text("what is this\nnot a chat log at all\n")
    out["unknown"] = d / "odd.log"
    (d / "notes.txt").write_text("hello, this is not a video\n" * 40)
    out["text"] = d / "notes.txt"
    (d / "notes.mp4").write_text("hello, this is not a video\n" * 40)
    out["text_mp4"] = d / "notes.mp4"
    irc = [f"2024-05-01_18:00:{2 + i // 10:02d}.{i % 10}00 :u{i % 7}!u@u.tmi.twitch.tv "
           f"PRIVMSG #chan :hello {i}" for i in range(40)]
    (d / "irc.log").write_text("\n".join(irc) + "\n")
    out["irc"] = d / "irc.log"
    out["dir"] = d
    return out


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main(argv)`` in-process -> (exit code, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _subprocess(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``python -m highlights argv`` with stdout/stderr as pipes (not terminals).

    The output is decoded without newline translation, so a ``\r`` stays visible.
    """
    env = dict(os.environ)
    src = str(Path(highlights.__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-m", "highlights", *argv], capture_output=True,
                         env=env, timeout=300)
    return subprocess.CompletedProcess(res.args, res.returncode, res.stdout.decode(),
                                       res.stderr.decode())


def _one_clean_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert not _API_WORDS.search(err), err
    assert lines[0].startswith("highlights"), err
    return lines[0]


# ------------------------------------------------------------------ item 6: usage errors
@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["-n", "-1"], "-n"),
        (["--min-len", "60", "--max-len", "30"], "--max-len"),
        (["--hop", "0"], "--hop"),
        (["--hop", "nan"], "--hop"),
        (["--min-len", "0"], "--min-len"),
        (["--pad", "-1", "2"], "--pad"),
        (["--min-gap", "-5"], "--min-gap"),
        (["--threshold", "inf"], "--threshold"),
        (["--budget", "0"], "--budget"),
        (["--workers", "0"], "--workers"),
        (["--audio-stream", "-1"], "--audio-stream"),
        (["--chat-lag", "-2"], "--chat-lag"),
        (["--weight", "bogus=2"], "--weight"),
        (["--weight", "audio_rms_db=-1"], "--weight"),
        (["--preset", "reel", "--max-len", "10"], "--max-len"),
        (["--order", "score"], "--order"),
        (["--video", "everything"], "--video"),
        (["--chat-format", "bogus"], "--chat-format"),
        (["--stream-start", "yesterday"], "--stream-start"),
    ],
)
def test_bad_find_option_is_a_usage_error(files, capsys, argv, option):
    code, out, err = _run(["find", str(files["mp4"]), *argv], capsys)
    assert code == 2
    line = _one_clean_line(err)
    assert option in line, line
    assert out == ""


def test_chat_options_need_a_chat_log(files, capsys):
    code, _, err = _run(["find", str(files["mp4"]), "--stream-start", "2024-05-01T18:00:00"],
                        capsys)
    assert code == 2 and "--chat" in _one_clean_line(err)


def test_min_len_above_max_len_names_both_options(files, capsys):
    code, _, err = _run(["find", str(files["mp4"]), "--min-len", "60", "--max-len", "30"],
                        capsys)
    line = _one_clean_line(err)
    assert code == 2 and "--max-len" in line and "--min-len" in line


def test_preset_bound_is_named(files, capsys):
    code, _, err = _run(["find", str(files["mp4"]), "--preset", "reel", "--max-len", "10"],
                        capsys)
    line = _one_clean_line(err)
    assert code == 2 and "reel" in line and "20" in line


@pytest.mark.parametrize("duration", ["0", "-5", "nan", "10"])
def test_bad_demo_duration_is_a_usage_error(tmp_path, capsys, duration):
    target = tmp_path / "demo"
    code, _, err = _run(["demo", "--dir", str(target), "--duration", duration], capsys)
    assert code == 2
    line = _one_clean_line(err)
    assert "--duration" in line and "n_moments" not in line
    assert not target.exists()  # nothing is generated for a bad value


def test_usage_errors_exit_2_in_a_real_process(files):
    for argv in (["-n", "-1"], ["--min-len", "60", "--max-len", "30"], ["--hop", "0"]):
        res = _subprocess(["find", str(files["mp4"]), *argv])
        assert res.returncode == 2, res.stderr
        _one_clean_line(res.stderr)
    res = _subprocess(["demo", "--duration", "0", "--dir", str(files["dir"] / "nodemo")])
    assert res.returncode == 2
    assert "--duration" in _one_clean_line(res.stderr)


# ------------------------------------------------------------------ item 7: hint spelling
def test_wall_clock_hint_names_stream_start_option(files, capsys):
    code, _, err = _run(["find", "--chat", str(files["irc"]), "--min-len", "2",
                         "--max-len", "4", "--min-gap", "0", "-n", "1"], capsys)
    assert code == 0, err
    assert "--stream-start" in err and not _API_WORDS.search(err), err


def test_stream_start_anchors_a_wall_clock_log(files, capsys):
    code, _, err = _run(["find", "--chat", str(files["irc"]), "--stream-start",
                         "2024-05-01T18:00:00Z", "--min-len", "2", "--max-len", "4",
                         "--min-gap", "0", "-n", "1", "--json",
                         str(files["dir"] / "anchored.json")], capsys)
    assert code == 0, err
    assert "stream-start" not in err  # anchored: no "first message is time 0" warning
    doc = json.loads((files["dir"] / "anchored.json").read_text())
    assert doc["duration_s"] >= 5.5  # the log ends 5.9 s after the given start


def test_unknown_chat_format_hint_names_the_option(files, capsys):
    code, _, err = _run(["find", str(files["mp4"]), "--chat", str(files["unknown"])], capsys)
    assert code == 1
    line = _one_clean_line(err)
    assert "--chat-format" in line and "format=" not in line


def test_chat_format_option_is_used(files, tmp_path, capsys):
    log = tmp_path / "chat.dat"
    log.write_text("0:01 hi\n0:02 wow\n0:03 lol\n")
    code, _, err = _run(["find", "--chat", str(log), "--chat-format", "text", "-n", "1",
                         "--min-len", "1", "--max-len", "2", "-q"], capsys)
    assert code == 0, err


# ------------------------------------------------------------------ item 9: unusable chat
@pytest.mark.parametrize("kind", ["json", "xml"])
def test_unusable_chat_log_is_an_error(files, capsys, kind):
    code, out, err = _run(["find", str(files["mp4"]), "--chat", str(files[kind])], capsys)
    assert code == 1 and out == ""
    line = _one_clean_line(err)
    assert files[kind].name in line and "--chat-optional" in line


def test_chat_optional_keeps_going(files, capsys):
    code, out, err = _run(["find", str(files["mp4"]), "--chat", str(files["json"]),
                           "--chat-optional", "--min-len", "2", "--max-len", "4", "-q"],
                          capsys)
    assert code == 0
    assert "rank" in out
    assert all(ln.startswith("highlights: warning: ") for ln in err.splitlines()), err
    assert "chat" in err


# ------------------------------------------------------------------ item 10: empty chat
def test_empty_chat_log_says_so(files, capsys):
    code, _, err = _run(["find", "--chat", str(files["empty"])], capsys)
    assert code == 1
    line = _one_clean_line(err)
    assert "empty" in line and "empty.txt" in line and "source" not in line


def test_empty_chat_log_in_a_real_process(files):
    res = _subprocess(["find", "--chat", str(files["empty"])])
    assert res.returncode == 1
    assert "empty" in _one_clean_line(res.stderr)


# ------------------------------------------------------------------ item 11: -q and style
def test_quiet_keeps_data_quality_warnings(files, capsys):
    code, _, err = _run(["find", str(files["mkv_cut"]), "-q", "-n", "1", "--min-len", "2",
                         "--max-len", "4"], capsys)
    assert code == 0
    assert "decoded only" in err
    assert all(ln.startswith("highlights: warning: ") for ln in err.splitlines()), err


def test_cache_problems_use_the_warning_style(files, tmp_path, capsys):
    cache = tmp_path / "cache"
    argv = ["find", str(files["mp4"]), "--cache", str(cache), "-n", "1", "--min-len", "2",
            "--max-len", "4"]
    assert _run(argv, capsys)[0] == 0
    (entry,) = cache.glob("*.npz")
    entry.write_bytes(b"not an npz")
    code, _, err = _run(argv, capsys)
    assert code == 0
    lines = [ln for ln in err.splitlines() if "cache" in ln]
    assert lines and all(ln.startswith("highlights: warning: ") for ln in lines), err


def test_no_carriage_returns_when_stderr_is_not_a_terminal(files):
    res = _subprocess(["find", str(files["mp4"]), "-n", "1", "--min-len", "2",
                       "--max-len", "4"])
    assert res.returncode == 0, res.stderr
    assert "\r" not in res.stderr
    assert res.stderr.startswith("highlights: analysing 0:00:08 of media\n")
    assert "Traceback" not in res.stderr


# ------------------------------------------------------------------ item 12: probe
def test_probe_prints_a_readable_summary(files, capsys):
    code, out, err = _run(["probe", str(files["mp4"])], capsys)
    assert code == 0, err
    assert not out.lstrip().startswith("{")
    for needle in ("0:00:08", "h264", "320x180", "25 fps", "rotation", "aac", "48000 Hz",
                   "2 channels", "analysed", "1 video", "1 audio"):
        assert needle in out, (needle, out)


def test_probe_json(files, capsys):
    code, out, _ = _run(["probe", str(files["mp4"]), "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["rotation"] == 0 and doc["width"] == 320


@pytest.mark.parametrize("name", ["text", "text_mp4"])
def test_non_media_error_is_plain(files, capsys, name):
    for cmd in ("probe", "find"):
        code, _, err = _run([cmd, str(files[name])], capsys)
        assert code == 1
        line = _one_clean_line(err)
        assert "moov" not in line and "faststart" not in line and "1094995529" not in line


def test_non_media_error_in_a_real_process(files):
    res = _subprocess(["probe", str(files["text_mp4"])])
    assert res.returncode == 1
    line = _one_clean_line(res.stderr)
    assert "notes.mp4" in line and "moov" not in line


# ------------------------------------------------------------------ item 13: budget
def test_reel_budget_shortfall_is_a_warning(files, capsys):
    code, _, err = _run(["find", str(files["mp4"]), "--preset", "reel", "-q"], capsys)
    assert code == 0
    assert "180" in err and "8 s long" in err, err
    assert all(ln.startswith("highlights: warning: ") for ln in err.splitlines()), err
