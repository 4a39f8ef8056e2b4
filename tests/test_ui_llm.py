"""The page with the language-model brain: the real app, driven by gradio_client, talking to the
HTTP stand-in (tests/llm_server.py) over loopback.

The interviewer's words come from the stand-in (its recorded requests arrive), an answer's reply
is streamed onto the page, and a fault mid-interview shows a notice while the interview goes on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from interviewer.config import Settings
from interviewer.transcripts import read_transcript
from tests.llm_server import Reply, StandIn, serve_stand_in
from tests.test_ui import CHAT, NOTICE, PROGRESS, REPORT, _texts
from tests.ui_server import copy_index, serve_app

pytestmark = pytest.mark.slow

ANSWER = (
    "At my last company I owned a ranking model. I decided to ship a small first version to "
    "five percent of users, measured click-through for a week, and it rose by 8 percent, so "
    "we rolled it out to everyone and wrote up what we learned for the team."
)


@pytest.fixture(scope="module")
def server() -> Iterator[StandIn]:
    with serve_stand_in() as s:
        yield s


@pytest.fixture(scope="module")
def app(
    pack_settings: Settings, tmp_path_factory: pytest.TempPathFactory, server: StandIn
) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("ui-llm-data")
    copy_index(pack_settings.data_dir, data)
    env = {
        "INTERVIEWER_BRAIN": "llm",
        "INTERVIEWER_LLM_BASE_URL": server.url,
        "INTERVIEWER_LLM_TIMEOUT": "1",
        "INTERVIEWER_LLM_MAX_RETRIES": "0",
        "INTERVIEWER_LLM_BREAKER_FAILURES": "10",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        with serve_app(data) as url:
            mp.undo()  # the app has its environment; the tests' own stays untouched
            yield url, data


def assistant(out: tuple[Any, ...]) -> list[str]:
    return _texts(out[CHAT], "assistant")


def asked_since(server: StandIn, count: int) -> list[Any]:
    return [r for r in server.completions()[count:] if not r.structured]


def test_an_interview_on_the_page_speaks_with_the_models_words(
    app: tuple[str, Path], server: StandIn
) -> None:
    url, data = app
    client = Client(url, verbose=False)
    count = len(server.completions())
    out = client.predict("recruiter", 3, "Typed answers", False, "", api_name="/start")
    opening = asked_since(server, count)
    assert len(opening) == 2 and "Jordan Reyes" in opening[0].system
    assert assistant(out) == [r.sent for r in opening]
    assert "Question 1 of 3" in out[PROGRESS] and not out[NOTICE]

    # An answer: the reply is streamed onto the page, and it is the model's.
    count = len(server.completions())
    job = client.submit(ANSWER, api_name="/answer")
    out = job.result(timeout=60)
    [reply] = asked_since(server, count)
    assert reply.stream and reply.sent
    assert assistant(out)[-1] == reply.sent and not out[NOTICE]
    partial = [o for o in job.outputs() if _texts(o[CHAT], "assistant")[-1] != reply.sent]
    assert partial, "no partial reply was shown while the model was streaming"
    assert f"<candidate_answer>\n{ANSWER}\n</candidate_answer>" in reply.user
    # The private note is written in the background, while the candidate reads the reply.
    deadline = time.monotonic() + 10
    while not (note := [r for r in server.completions()[count:] if r.structured]):
        assert time.monotonic() < deadline, "no private note was written"
        time.sleep(0.05)
    assert ANSWER in note[0].user and note[0].number > reply.number

    # A fault mid-interview: a notice on the page, an offline reply, and the interview goes on.
    count = len(server.completions())
    server.script(Reply.http(503).to("turn"))
    out = client.predict(ANSWER, api_name="/answer")
    assert "The language model did not answer" in out[NOTICE]
    assert "built-in interviewer" in out[NOTICE]
    offline = assistant(out)[-1]
    assert offline and "stand-in" not in offline
    assert len(asked_since(server, count)) == 1
    assert not out[REPORT]

    # The next turn asks the model again, and the notice is gone.
    count = len(server.completions())
    out = client.predict(ANSWER, api_name="/answer")
    again = asked_since(server, count)
    assert again and assistant(out)[-1] == again[-1].sent and not out[NOTICE]

    out = client.predict(api_name="/finish")
    assert "Coach" in out[REPORT] and "language model calls" in out[REPORT]
    # Every turn is on disk, the private notes included; none of them was shown on the page.
    transcript = sorted((data / "sessions").glob("*/transcript.jsonl"))[-1]
    turns = read_transcript(transcript).turns
    notes = [t.text for t in turns if t.kind == "note"]
    assert len(notes) >= 3
    page = " ".join(assistant(out))
    assert not any(n in page for n in notes)
    assert offline in [t.text for t in turns]


def test_a_fault_while_starting_shows_a_notice_at_once(
    app: tuple[str, Path], server: StandIn
) -> None:
    url, _ = app
    client = Client(url, verbose=False)
    server.script(Reply.http(500).to("turn"))
    out = client.predict("ml_expert", 2, "Typed answers", False, "", api_name="/start")
    assert "Question 1 of 2" in out[PROGRESS]
    assert "The language model did not answer" in out[NOTICE]
