"""The review page in a real browser: headless Chromium, opened from disk, fully offline.

Chromium and its driver come from the system's package manager (Debian ``chromium``
and ``chromium-driver``, installed by ``.ci/run``); the tests skip, saying so, only when
they are not installed.  Waits poll for a state (``WebDriverWait``); nothing asserts
on elapsed time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from highlights import find_highlights
from highlights.cache import file_identity
from highlights.io.review import read_review
from highlights.learn import HighlightModel
from review_fixtures import (
    browser_missing,
    console_errors,
    make_driver,
    open_page,
    requested_urls,
    stream_result,
    write_cjk_chat,
)

pytest.importorskip("selenium", reason="selenium is in the test extra: pip install -e '.[test]'")
_MISSING = browser_missing()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT_S = 30  # the most any wait polls for; a pass takes well under a second


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(downloads: Path):
    drv = make_driver(downloads)
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("browser")
    stream, result = stream_result(folder)
    page = result.to_html(folder / "review.html")
    return stream, result, page


@pytest.fixture(scope="module")
def chat_only(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("chat_only")
    chat = write_cjk_chat(folder / "chat.json")
    result = find_highlights(None, chat=chat, n=2, min_len_s=8, max_len_s=20, min_gap_s=5)
    return result, result.to_html(folder / "review.html")


def _card(driver, rank: int):
    return driver.find_element(By.CSS_SELECTOR, f'.hl-card[data-rank="{rank}"]')


def _press(driver, rank: int, action: str, delta: int | None = None) -> None:
    sel = f'[data-action="{action}"]' + ("" if delta is None else f'[data-delta="{delta}"]')
    _card(driver, rank).find_element(By.CSS_SELECTOR, "button" + sel).click()


def test_one_card_per_clip_with_its_span(driver, demo) -> None:
    _, result, page = demo
    open_page(driver, page)
    cards = driver.find_elements(By.CSS_SELECTOR, ".hl-card")
    assert len(cards) == len(result.clips)
    for card, clip in zip(cards, result.clips):                 # best first
        assert int(card.get_attribute("data-rank")) == clip.rank
        assert float(card.get_attribute("data-start-s")) == pytest.approx(clip.start_s, abs=1e-3)
        assert float(card.get_attribute("data-end-s")) == pytest.approx(clip.end_s, abs=1e-3)
        assert card.get_attribute("data-decision") == "undecided"
        assert len(card.find_elements(By.CSS_SELECTOR, ".hl-thumbs img")) == 5
        actions = {b.get_attribute("data-action")
                   for b in card.find_elements(By.CSS_SELECTOR, "button[data-action]")}
        assert {"accept", "reject", "nudge-start", "nudge-end", "undo"} <= actions
    # Thumbnails decoded: every image loaded with its real size.
    assert driver.execute_script(
        "return [...document.querySelectorAll('.hl-thumbs img')]"
        ".every(i => i.complete && i.naturalWidth === 160)")
    assert console_errors(driver) == []


def test_no_network_request_even_when_previewing(driver, demo) -> None:
    stream, result, page = demo
    open_page(driver, page)
    _press(driver, 1, "preview")
    video = WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '.hl-card[data-rank="1"] video'))
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script("const v = arguments[0]; return v.readyState >= 1 || v.error",
                                   video))
    assert driver.execute_script("return arguments[0].error", video) is None
    clip = result.clips[0]
    src = video.get_attribute("src")
    assert src == f"{stream.video_path.resolve().as_uri()}#t={clip.start_s:.2f},{clip.end_s:.2f}"
    # The preview stops at the clip's end (played fast so the test stays short).
    driver.execute_script("arguments[0].playbackRate = 8; arguments[0].play()", video)
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script("return arguments[0].paused && arguments[0].currentTime > 0",
                                   video))
    stopped = driver.execute_script("return arguments[0].currentTime", video)
    assert clip.end_s - 0.5 <= stopped <= clip.end_s + 1.0   # checked every frame
    urls = requested_urls(driver)
    assert any(u.startswith("file:") and u.endswith("stream.mp4") for u in urls)
    assert urls and all(re.match(r"(file|data|blob):", u) for u in urls), urls
    assert console_errors(driver) == []


def test_decisions_download_round_trips_into_a_model(driver, demo, downloads: Path) -> None:
    stream, result, page = demo
    open_page(driver, page)
    c1, c2 = result.clips[0], result.clips[1]
    _press(driver, c1.rank, "accept")
    _press(driver, c1.rank, "nudge-start", -1)
    _press(driver, c1.rank, "nudge-start", -1)
    _press(driver, c1.rank, "nudge-end", 1)
    _press(driver, c1.rank, "undo")                   # takes back the end nudge
    _press(driver, c2.rank, "reject")
    assert _card(driver, c1.rank).get_attribute("data-decision") == "accepted"
    assert _card(driver, c2.rank).get_attribute("data-decision") == "rejected"
    # Keys act on the active card: j moves to the next one, a accepts, u undoes.
    body = driver.find_element(By.TAG_NAME, "body")
    if len(result.clips) > 2:
        body.send_keys("j")
        body.send_keys("a")
        assert _card(driver, result.clips[2].rank).get_attribute("data-decision") == "accepted"
        body.send_keys("u")
        assert _card(driver, result.clips[2].rank).get_attribute("data-decision") == "undecided"
    for old in downloads.glob("*.review.json"):
        old.unlink()
    driver.find_element(By.CSS_SELECTOR, '[data-action="download"]').click()
    target = downloads / "stream.review.json"
    doc = WebDriverWait(driver, WAIT_S).until(lambda d: _read_json(target))
    assert doc["schema"] == "highlights.review" and doc["schema_version"] == 1
    rec = doc["recording"]
    assert rec["path"] == str(stream.video_path.resolve()) and rec["kind"] == "media"
    assert rec["size_bytes"] == stream.video_path.stat().st_size
    ident = file_identity(stream.video_path)
    assert rec["identity"] == {**ident, "mtime_ns": str(ident["mtime_ns"])}
    assert rec["duration_s"] == pytest.approx(result.duration_s, abs=1e-3)
    by_rank = {c["rank"]: c for c in doc["clips"]}
    assert len(by_rank) == len(result.clips)
    assert by_rank[c1.rank]["decision"] == "accepted"
    assert by_rank[c1.rank]["edited_start_s"] == pytest.approx(max(c1.start_s - 2, 0), abs=1e-3)
    assert by_rank[c1.rank]["edited_end_s"] == pytest.approx(c1.end_s, abs=1e-3)
    assert by_rank[c2.rank]["decision"] == "rejected"
    assert all(c["decision"] == "undecided" for c in doc["clips"][2:])
    assert console_errors(driver) == []

    review = read_review(target)
    assert review.recording["identity"] == ident        # nanoseconds intact
    assert review.counts() == {"accepted": 1, "rejected": 1,
                               "undecided": len(result.clips) - 2}
    spans = review.accepted_spans()
    assert spans.tolist() == [[pytest.approx(max(c1.start_s - 2, 0), abs=1e-3),
                               pytest.approx(c1.end_s, abs=1e-3)]]
    model = HighlightModel().fit_timelines([result.timelines], [spans])
    learned = result.repick(model=model, n=1)
    assert learned.clips and learned.model is model


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None            # not there yet, or still being written


def test_screenshot_shows_the_timeline(driver, demo, tmp_path: Path) -> None:
    import cv2

    _, result, page = demo
    open_page(driver, page)
    svg = driver.find_element(By.ID, "hl-timeline-svg")
    assert svg.size["width"] > 300 and svg.size["height"] > 150
    shot = tmp_path / "page.png"
    assert driver.save_screenshot(str(shot))
    img = cv2.imread(str(shot))
    assert img is not None and img.shape[0] > 300 and float(img.std()) > 10
    # The timeline itself is drawn: its picture varies, and its score curve is there.
    part = tmp_path / "timeline.png"
    svg.screenshot(str(part))
    tl = cv2.imread(str(part))
    assert tl.shape[1] > 300 and float(tl.std()) > 10
    assert driver.execute_script(
        "return document.querySelector('#hl-timeline-svg g.row[data-row=\"score\"] path')"
        ".getAttribute('d').length") > 100
    shaded = driver.find_elements(By.CSS_SELECTOR, "#hl-timeline-svg g.clip")
    assert len(shaded) == len(result.clips)


def test_zoom_pan_and_click_to_a_card(driver, demo) -> None:
    _, result, page = demo
    open_page(driver, page)
    view = driver.find_element(By.CSS_SELECTOR, ".hl-view")
    assert "zoomed" not in view.text
    driver.find_element(By.CSS_SELECTOR, '[data-zoom="in"]').click()
    assert "zoomed" in view.text
    driver.find_element(By.CSS_SELECTOR, '[data-zoom="all"]').click()
    assert "zoomed" not in view.text
    # The mouse wheel zooms around the pointer.
    driver.execute_script("""
        const svg = document.getElementById('hl-timeline-svg'), r = svg.getBoundingClientRect();
        svg.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + r.width * 0.6,
                                                   clientY: r.top + 60, bubbles: true,
                                                   cancelable: true}));""")
    assert "zoomed" in view.text
    driver.find_element(By.CSS_SELECTOR, '[data-zoom="all"]').click()
    # Clicking a shaded clip makes its card the active one.
    last = result.clips[-1]
    rect = driver.find_element(By.CSS_SELECTOR,
                               f'#hl-timeline-svg g.clip[data-rank="{last.rank}"] rect.span')
    rect.click()
    assert "active" in _card(driver, last.rank).get_attribute("class").split()
    assert console_errors(driver) == []


def test_chat_only_page_renders_cjk(driver, chat_only) -> None:
    result, page = chat_only
    open_page(driver, page)
    cards = driver.find_elements(By.CSS_SELECTOR, ".hl-card")
    assert len(cards) == len(result.clips) >= 1
    assert driver.find_elements(By.CSS_SELECTOR, ".hl-thumbs img") == []
    for b in driver.find_elements(By.CSS_SELECTOR, 'button[data-action="preview"]'):
        assert not b.is_enabled()
    words = [k.text for k in driver.find_elements(By.CSS_SELECTOR, ".hl-kw .kw")]
    cjk = [w for w in words if re.search(r"[\u4e00-\u9fff]", w)]
    assert cjk, words
    # Real glyphs, not empty boxes: each CJK word has width, and two different words draw
    # differently (missing glyphs all draw the same box), unlike private-use characters.
    check = driver.execute_script("""
        const chip = [...document.querySelectorAll('.hl-kw .kw')]
            .find(e => /[\\u4e00-\\u9fff]/.test(e.textContent));
        const font = getComputedStyle(chip).font;
        function pixels(text) {
            const c = document.createElement('canvas'); c.width = 200; c.height = 40;
            const g = c.getContext('2d'); g.font = font; g.fillStyle = '#000';
            g.fillText(text, 4, 28);
            return Array.from(g.getImageData(0, 0, 200, 40).data).join(',');
        }
        return {width: chip.getBoundingClientRect().width,
                differ: pixels('\u54c8\u54c8') !== pixels('\u8349\u8349'),
                vsTofu: pixels('\u54c8\u54c8') !== pixels('\\ue000\\ue000')};""")
    assert check["width"] > 0
    assert check["differ"] and check["vsTofu"], check
    # The timeline holds the chat signals, and a decision works without any media.
    rows = {e.get_attribute("data-row")
            for e in driver.find_elements(By.CSS_SELECTOR, "#hl-timeline-svg g.row")}
    assert "score" in rows and "chat_onset" in rows
    _press(driver, result.clips[0].rank, "reject")
    assert _card(driver, result.clips[0].rank).get_attribute("data-decision") == "rejected"
    urls = requested_urls(driver)
    assert all(re.match(r"(file|data|blob):", u) for u in urls), urls
    assert console_errors(driver) == []


def test_timeline_rows_collapse(driver, demo) -> None:
    _, _, page = demo
    open_page(driver, page)
    svg = driver.find_element(By.ID, "hl-timeline-svg")
    tall = svg.size["height"]
    driver.find_element(By.CSS_SELECTOR, '[data-toggle="signals"]').click()
    assert svg.size["height"] < tall
    driver.find_element(By.CSS_SELECTOR, '[data-toggle="signals"]').click()
    assert svg.size["height"] == tall


def test_notebook_view_works_inside_its_frame(driver, demo, tmp_path: Path) -> None:
    """What ``_repr_html_`` gives a notebook: the page, light, running in its own iframe."""
    _, result, _ = demo
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    f"{result._repr_html_()}</body></html>", encoding="utf-8")
    open_page(driver, host)
    frame = driver.find_element(By.TAG_NAME, "iframe")
    assert frame.size["height"] >= 600
    driver.switch_to.frame(frame)
    try:
        cards = driver.find_elements(By.CSS_SELECTOR, ".hl-card")
        assert len(cards) == len(result.clips)
        assert driver.find_elements(By.CSS_SELECTOR, ".hl-thumbs img") == []
        _press(driver, result.clips[0].rank, "accept")
        assert _card(driver, result.clips[0].rank).get_attribute("data-decision") == "accepted"
    finally:
        driver.switch_to.default_content()
    assert console_errors(driver) == []
    urls = requested_urls(driver)
    assert all(re.match(r"(file|data|blob|about):", u) for u in urls), urls
