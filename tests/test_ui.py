"""The Gradio app through its API (gradio_client against the real running app)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from interviewer.config import Settings
from interviewer.transcripts import read_transcript
from tests.ui_server import copy_index, serve_app

# Outputs of every event, in order (state and screen visibility are not sent to API clients).
NOTICE, PROGRESS, CHAT, VOICE, ANSWER, MIC, HINT, REPORT, FILES = range(9)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(
    pack_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("ui-data")
    copy_index(pack_settings.data_dir, data)
    with serve_app(data) as url:
        yield url, data


def _texts(chat: list[dict[str, Any]], role: str) -> list[str]:
    out = []
    for m in chat:
        if m["role"] != role:
            continue
        content = m["content"]
        if isinstance(content, list):
            out.extend(c.get("text", "") for c in content if isinstance(c, dict))
        else:
            out.append(str(content))
    return out


def play(client: Client, persona: str, answers: list[str], questions: int = 2) -> tuple[Any, ...]:
    """Start an interview and answer until it ends (or answers run out, then finish)."""
    out = client.predict(persona, questions, "Typed answers", False, "", api_name="/start")
    assert "Question 1 of" in out[PROGRESS]
    for a in answers:
        if out[REPORT]:
            break
        out = client.predict(a, api_name="/answer")
    if not out[REPORT]:
        out = client.predict(api_name="/finish")
    return out


ANSWER = (
    "At my last company I owned a ranking model. I decided to ship a small first version to "
    "five percent of users, measured click-through for a week, and it rose by 8 percent, so "
    "we rolled it out to everyone and iterated from there."
)


def test_a_typed_interview_runs_from_start_to_report(app: tuple[str, Path]) -> None:
    url, data = app
    client = Client(url, verbose=False)
    out = play(client, "recruiter", [ANSWER] * 8)
    assert "Interview feedback" in out[REPORT]
    files = sorted(Path(f).suffix for f in out[FILES])
    assert files == [".html", ".json", ".md"]
    candidate = _texts(out[CHAT], "user")
    assert candidate and all(t == ANSWER for t in candidate if t != "*(skipped)*")
    # Every answer is on disk in the session transcript.
    transcripts = list((data / "sessions").glob("*/transcript.jsonl"))
    assert transcripts
    saved = [t.text for p in transcripts for t in read_transcript(p).turns if t.kind == "answer"]
    assert saved.count(ANSWER) >= len(candidate)


def test_bad_input_gets_a_clear_message_and_the_interview_goes_on(
    app: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = app
    client = Client(url, verbose=False)
    out = client.predict("backend_engineer", 3, "Typed answers", False, "", api_name="/start")
    before = len(out[CHAT])
    out = client.predict("   ", api_name="/answer")
    assert "write an answer first" in out[NOTICE] and len(out[CHAT]) == before
    huge = ("We monitor the input distribution and retrain when it drifts. " * 400)[:25_000]
    out = client.predict(huge, api_name="/answer")
    assert "first 20,000 characters" in out[NOTICE]
    assert len(out[CHAT]) > before  # the answer was taken and the interviewer replied
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio at all", encoding="utf-8")
    out = client.predict(handle_file(str(not_audio)), api_name="/spoken_answer")
    assert out[NOTICE] and ("could not be used" in out[NOTICE] or "not installed" in out[NOTICE])
    out = client.predict(
        "Drift is when live data stops looking like the training data, so "
        "quality drops; we watch the input distributions to catch it.",
        api_name="/answer",
    )
    assert not out[NOTICE] and "Question" in out[PROGRESS]


def test_sessions_are_isolated_between_browser_tabs(app: tuple[str, Path]) -> None:
    url, _ = app
    answers = {f"cand{i}": f"My name is cand{i}. " + ANSWER for i in range(4)}

    def one(name: str) -> tuple[str, list[str]]:
        out = play(Client(url, verbose=False), "recruiter", [answers[name]] * 4)
        return name, _texts(out[CHAT], "user")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, answers))
    for name, said in results:
        assert said, name
        assert all(t.startswith(f"My name is {name}.") for t in said if t != "*(skipped)*")


def test_history_reopens_a_finished_session(app: tuple[str, Path]) -> None:
    url, data = app
    client = Client(url, verbose=False)
    play(client, "ml_expert", [ANSWER], questions=1)
    session_id = sorted(p.parent.name for p in (data / "sessions").glob("*/transcript.jsonl"))[-1]
    out = Client(url, verbose=False).predict(session_id, api_name="/open_session")
    assert out[REPORT] and out[FILES]
    out = Client(url, verbose=False).predict("no-such-session", api_name="/open_session")
    assert "no session" in out[NOTICE]
