"""The page in real Chromium (Debian's, driven by Playwright): a typed interview end to end.

Screenshots of each screen are saved under tests/artifacts/ to be looked at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewer.config import Settings
from tests.paths import TESTS
from tests.ui_server import copy_index, serve_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = TESTS / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def app_url(pack_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser-data")
    copy_index(pack_settings.data_dir, data)
    with serve_app(data) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    """One Playwright driver for the module (a second one in the same thread is refused)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[object]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield b
    b.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ui-{name}.png"), full_page=True)  # type: ignore[attr-defined]


ANSWERS = [
    "I'd compare it to a regression you didn't cause. The model code is unchanged, but the "
    "incoming data shifted, so quality drops quietly. We watch input distributions and "
    "prediction rates like latency alerts, and retrain when they move; for example our "
    "classifier's accuracy fell from 91% to 78% after a launch in a new market.",
    "At my last job I owned the ticket classifier. I decided to ship a simple version first, "
    "measured acceptance for two weeks, and it reached 64 percent, so we iterated from there.",
]


def test_typed_interview_from_start_screen_to_rendered_report(
    app_url: str, browser: object
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page.goto(app_url)
    page.get_by_role("button", name="Start the interview").wait_for()
    shot(page, "1-start")
    page.get_by_text("Sam Okafor").first.click()
    page.get_by_label("Questions").last.fill("2")
    page.get_by_label("Questions").last.press("Enter")
    page.get_by_role("button", name="Start the interview").click()
    page.get_by_text("Question 1 of 2").wait_for(timeout=30_000)
    shot(page, "2-interview")
    for answer in ANSWERS * 3:
        if page.get_by_text("Download the report").is_visible():
            break
        box = page.get_by_label("Your answer")
        if not box.is_visible():
            break
        replies = page.locator('[data-testid="bot"]').count()
        box.fill(answer)
        page.get_by_role("button", name="Send answer").click()
        # The interviewer's reply (or the report, after the last answer) has arrived.
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"bot\"]').length > n"
            " || document.body.innerText.includes('Download the report')",
            arg=replies,
            timeout=90_000,
        )
    shot(page, "3-after-answers")
    if not page.get_by_text("Download the report").is_visible():
        page.get_by_role("button", name="Finish and see report").click()
    page.get_by_text("Download the report").wait_for(timeout=60_000)
    frame = page.frame_locator("iframe[title='Interview feedback report']")
    frame.get_by_text("Interview feedback").first.wait_for(timeout=30_000)
    assert frame.get_by_text("Question by question").count() == 1
    shot(page, "4-report")
    page.close()


def test_empty_submission_shows_a_message_and_keeps_the_interview(
    app_url: str, browser: object
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page.goto(app_url)
    page.get_by_role("button", name="Start the interview").click()
    page.get_by_text("Question 1 of").wait_for(timeout=30_000)
    page.get_by_role("button", name="Send answer").click()
    page.get_by_text("Please write an answer first").wait_for(timeout=15_000)
    assert page.get_by_label("Your answer").is_visible()
    page.close()


SPOKEN = (
    "To prevent data leakage I split the data first, and I fit every scaler inside a "
    "pipeline, so cross validation refits it on each training fold only."
)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_spoken_answer_through_chromiums_fake_microphone(
    app_url: str, tmp_path: Path, playwright: Any
) -> None:
    """Chromium's fake microphone plays an espeak-ng recording; its transcript is the answer."""
    import subprocess

    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), SPOKEN], check=True, timeout=60)
    args = [
        *ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        ctx = b.new_context(viewport={"width": 1200, "height": 1000}, permissions=["microphone"])
        page = ctx.new_page()
        page.goto(app_url)
        page.get_by_text("Spoken answers (microphone)").click()
        page.get_by_role("button", name="Start the interview").click()
        page.get_by_text("Question 1 of").wait_for(timeout=30_000)
        before = page.locator('[data-testid="user"]').count()
        page.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_timeout(9_000)  # the recording is about eight seconds long
        page.get_by_role("button", name="Stop", exact=True).first.click()
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"user\"]').length > n",
            arg=before,
            timeout=120_000,
        )
        said = page.locator('[data-testid="user"]').last.inner_text().lower()
        shot(page, "5-spoken")
    finally:
        b.close()
    # Whisper hears Chromium's resampled espeak imperfectly; the gist must come through.
    assert sum(w in said for w in ("split", "first", "pipeline", "training", "fold")) >= 2, said
