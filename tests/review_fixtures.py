"""Shared pieces of the review-page tests: a tiny stream with chat, a CJK chat log, Chromium.

The browser is the system's Chromium and its driver (Debian ``chromium`` and
``chromium-driver``, installed by ``.ci/run``), driven through selenium, headless and
offline: the flags below keep it from reaching Google's services, and every test
page is opened from disk.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

#: Where Debian puts the browser and its driver; HIGHLIGHTS_CHROMIUM/_CHROMEDRIVER override.
CHROMIUM = os.environ.get("HIGHLIGHTS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HIGHLIGHTS_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--window-size=1400,1600",
         "--autoplay-policy=no-user-gesture-required")


def stream_result(out_dir: Path) -> tuple[Any, Any]:
    """A 60 s synthetic stream (320x180, chat with CJK words) and its clips."""
    from highlights import find_highlights
    from highlights.synth import make_livestream

    stream = make_livestream(out_dir, duration_s=60.0, seed=3, overwrite=True)
    result = find_highlights(stream.video_path, chat=stream.chat_path, n=4, min_len_s=8.0,
                             max_len_s=20.0, pad_s=(3.0, 2.0), min_gap_s=4.0)
    assert len(result.clips) >= 2
    return stream, result


def write_cjk_chat(path: Path) -> Path:
    """A 90 s chat log: quiet Latin chat, two bursts of CJK reactions (at 30 s and 65 s)."""
    rows = []
    for k in range(45):
        rows.append({"time_s": 2.0 * k + 0.3, "author": f"viewer{k % 7}", "text": "hello there"})
    for start in (30.0, 65.0):
        for k in range(24):
            text = ("哈哈哈哈", "太强了", "草", "666")[k % 4]
            rows.append({"time_s": start + 0.2 * k, "author": f"fan{k}", "text": text})
    rows.sort(key=lambda r: r["time_s"])
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    for what, path in (("Chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not (Path(path).is_file() or shutil.which(path)):
            return (f"no {what} at {path}: install Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver; .ci/run does)")
    return None


def make_driver(download_dir: Path) -> Any:
    """Headless, offline Chromium with console and network logging and a download folder."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='highlights-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir),
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def open_page(driver: Any, path: Path) -> None:
    """Open ``path`` from disk with both logs emptied first (only this page's entries stay)."""
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())


def console_errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser was asked to fetch since :func:`open_page` (CDP Network log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls
