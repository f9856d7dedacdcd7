"""Packaging: the distribution name in every install hint; one OpenCV distribution."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Names on PyPI that belong to other projects: an install hint naming one installs
#: something else (``highlights`` 0.1.1 is a 2017 text summariser).
TAKEN = {"highlights"}
_HINT_FILES = [
    *sorted((ROOT / "src" / "highlights").rglob("*.py")),
    ROOT / "README.md",
    ROOT / "benchmarks" / "README.md",
    ROOT / ".ci" / "run",
]
# "name[extra,...]", quoted or not; "." is the checkout
_REQ_WITH_EXTRAS = re.compile(
    r"""(?<![\w.-])([A-Za-z0-9][A-Za-z0-9_.-]*|\.)\[([A-Za-z0-9_,-]+)\]""")


def _pyproject() -> str:
    return (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _dist_name() -> str:
    project = _pyproject().split("[project]", 1)[1]
    m = re.search(r'^name\s*=\s*"([^"]+)"', project, re.M)
    assert m is not None
    return m.group(1)


def _extras() -> set[str]:
    table = _pyproject().split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    return set(re.findall(r"^([A-Za-z0-9_-]+)\s*=", table, re.M))


def _hints() -> list[tuple[str, int, str]]:
    """(file, line, text after "pip install") for every install command in the hint files."""
    out = []
    for path in _HINT_FILES:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for seg in line.split("pip install")[1:]:
                out.append((str(path.relative_to(ROOT)), no, seg))
    return out


def test_the_distribution_name_is_not_taken_on_pypi() -> None:
    assert _dist_name() not in TAKEN
    assert (ROOT / "src" / "highlights" / "__init__.py").exists()  # import name unchanged


def test_install_hints_name_the_distribution() -> None:
    dist, extras = _dist_name(), _extras()
    hints = _hints()
    in_src = [h for h in hints if h[0].startswith("src")]
    assert len(in_src) >= 3  # plot, pandas, export: the test is not vacuous
    taken = re.compile(r"""\s+(?:-\S+\s+)*['"]?(?:""" + "|".join(TAKEN) + r")(?![\w.-])")
    bad = []
    for where, no, seg in hints:
        if taken.match(seg):
            bad.append(f"{where}:{no}: installs a name owned by another project:{seg}")
        for name, wanted in _REQ_WITH_EXTRAS.findall(seg):
            if name != dist and not (name == "." and not where.startswith("src")):
                bad.append(f"{where}:{no}: {name}[{wanted}] should be {dist}[{wanted}]")
            unknown = set(wanted.split(",")) - extras
            if unknown:
                bad.append(f"{where}:{no}: no such extra {sorted(unknown)}")
    assert not bad, "\n".join(bad)
    assert all(dist in seg for where, _, seg in in_src if "[" in seg)


def _cv2_owners() -> list[str]:
    """Installed distributions that provide the top-level package ``cv2``."""
    owners = set()
    for d in metadata.distributions():
        top = d.read_text("top_level.txt")
        names = set(top.split()) if top else set()
        if not names:  # opencv wheels have no top_level.txt: their RECORD lists cv2/...
            names = {f.parts[0] for f in (d.files or []) if f.parts}
        if "cv2" in names:
            owners.add(d.metadata["Name"])
    return sorted(owners)


def test_exactly_one_opencv_distribution_provides_cv2() -> None:
    # opencv-python and opencv-python-headless both install cv2/ into the same folder:
    # with both, `pip uninstall` of either deletes files the other needs.  PySceneDetect
    # comes as scenedetect-headless, which requires the headless build only.
    owners = _cv2_owners()
    assert len(owners) == 1, (
        f"{len(owners)} distributions provide cv2: {owners}; keep one "
        "(opencv-python-headless), e.g. reinstall from scratch with the project's extras")
    import cv2

    assert callable(cv2.resize)
    scenedetect = pytest.importorskip("scenedetect")
    assert scenedetect.ContentDetector is not None
