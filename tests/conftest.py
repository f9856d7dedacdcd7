"""Shared fixtures: seeded rng, the ../shared data helper, and an ERROR-log guard."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HIGHLIGHTS_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path to a file in ``../shared/data``; skips the test when it is absent."""
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _fail_on_error_logs(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="highlights")
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("ERROR logged: " + "; ".join(r.getMessage() for r in errors))
