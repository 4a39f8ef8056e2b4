"""What the language-model brain costs on top of the model itself, against a local stand-in.

The stand-in (tests/llm_server.py) speaks the OpenAI chat-completions protocol on 127.0.0.1.

(a) Added latency per turn: `session.submit` with the LLM brain minus the same submit with the
    offline brain, over ~20 paired turns (same seed, same answers, so the same decisions), with
    a model that answers instantly: this is our code's overhead (LangChain, the OpenAI client,
    HTTP, prompts, validation), not the model's. The private note on each answer is a second
    request, made in the background after the reply, while a candidate would be reading the
    question; the benchmark waits for it between turns, untimed. Repeated with a model that
    takes 200 ms per request, to show how model time adds up per turn.
(b) Time to first streamed token as a streaming consumer (`session.sink`) sees it, from the
    moment the answer is submitted; and through the page (gradio_client, polling the job's
    outputs) until the first partial reply appears, and until the reply is complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import answer_for, save, summary_ms
from interviewer.config import Settings, apply_offline_environment
from interviewer.indexing import ingest
from interviewer.schema import SessionConfig, TurnKind
from interviewer.session import InterviewSession
from tests.llm_server import StandIn, serve_stand_in
from tests.ui_server import copy_index, serve_app

TURNS = 20
SLOW_MODEL_S = 0.2
PERSONA = "backend_engineer"
WARM_ANSWER = (
    "Answer: we monitored the inputs, retrained monthly and rolled back a bad model once, which "
    "cut the error rate from 9% to 4%."
)


def _session(settings: Settings, seed: int) -> InterviewSession:
    config = SessionConfig(questions=12, seed=seed, brain=settings.brain)
    session = InterviewSession.create(settings, PERSONA, config)
    session.warm_up()
    session.start()  # the opening turns (greeting, first question) are not measured
    return session


def _play(sessions: list[InterviewSession]) -> list[list[float]]:
    """Give the same answers to sessions in lockstep; seconds per submit for each session."""
    times: list[list[float]] = [[] for _ in sessions]
    for n in range(TURNS):
        if any(s.finished for s in sessions):
            break
        answer = answer_for(sessions[0], n)
        kinds = []
        for session, out in zip(sessions, times, strict=True):
            start = time.perf_counter()
            turns = session.submit(answer)
            out.append(time.perf_counter() - start)
            session.wait_for_notes()  # written while a candidate reads the question: untimed
            kinds.append([t.kind for t in turns if t.kind is not TurnKind.NOTE])
        if any(k != kinds[0] for k in kinds):
            raise RuntimeError("the sessions took different turns; the pairing would be wrong")
    for session in sessions:
        if session.notices:
            raise RuntimeError(f"the model failed during the benchmark: {session.notices}")
    return times


def added_latency(data: Settings, server: StandIn, seed: int = 11) -> dict[str, Any]:
    offline_settings = data.model_copy(update={"brain": "offline"})
    llm_settings = data.model_copy(update={"brain": "llm", "llm_base_url": server.url})
    _play([_session(offline_settings, seed)])  # fills the analysis caches for these answers
    count = len(server.completions())
    offline, llm = _play([_session(offline_settings, seed), _session(llm_settings, seed)])
    requests = len(server.completions()) - count
    added = [a - b for a, b in zip(llm, offline, strict=True)]
    return {
        "offline": summary_ms(offline),
        "llm": summary_ms(llm),
        "added": summary_ms(added),
        "requests_per_turn": round(requests / len(llm), 2),
    }


class _Clock:
    """A sink that notes when the first token arrives."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.tokens = 0

    def token(self, text: str) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        self.tokens += 1

    def reset(self) -> None:
        self.first = None


def sink_ttft(data: Settings, server: StandIn, seed: int = 5) -> dict[str, Any]:
    settings = data.model_copy(update={"brain": "llm", "llm_base_url": server.url})
    _play([_session(data.model_copy(update={"brain": "offline"}), seed)])  # warm the caches
    session = _session(settings, seed)
    first: list[float] = []
    total: list[float] = []
    for n in range(TURNS):
        if session.finished:
            break
        clock = _Clock()
        session.sink = clock
        answer = answer_for(session, n)
        start = time.perf_counter()
        session.submit(answer)
        end = time.perf_counter()
        session.wait_for_notes()
        if clock.first is not None:
            first.append(clock.first - start)
            total.append(end - start)
    model_ttft = session.brain.usage.first_token_seconds  # type: ignore[attr-defined]
    return {
        "sink_first_token": summary_ms(first),
        "sink_turn_done": summary_ms(total),
        "client_first_token": summary_ms(model_ttft),
    }


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (the app subprocess inherits them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def page_ttft(pack_data: Path, server: StandIn, answers: int = 11) -> dict[str, Any]:
    """Through the page: submit an answer, poll the job until the reply starts and ends."""
    from gradio_client import Client

    env = {
        "INTERVIEWER_BRAIN": "llm",
        "INTERVIEWER_LLM_BASE_URL": server.url,
        "INTERVIEWER_LLM_MAX_RETRIES": "0",
    }
    first: list[float] = []
    done: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        copy_index(pack_data, data)
        with _environ(env), serve_app(data) as url:
            client = Client(url, verbose=False)
            client.predict(PERSONA, 10, "Typed answers", False, "", api_name="/start")
            for warm in ("I would start with a baseline.", WARM_ANSWER):
                client.submit(warm, api_name="/answer").result()  # models load, calls settle
            for n in range(answers):
                start = time.perf_counter()
                job = client.submit(
                    f"Answer {n}: we monitored the inputs, retrained monthly and rolled back "
                    "a bad model once, which cut the error rate from 9% to 4%.",
                    api_name="/answer",
                )
                seen: float | None = None
                while not job.done():
                    if seen is None and job.outputs():  # the first render holds a partial reply
                        seen = time.perf_counter()
                    time.sleep(0.002)
                out = job.result()
                done.append(time.perf_counter() - start)
                first.append((seen or time.perf_counter()) - start)
                if out[7]:  # the report: the interview is over
                    break
    # The first timed answer still meets first-use costs in the app process (about 1 s); the
    # steady state is what a candidate sees from the second answer on.
    return {
        "page_first_token": summary_ms(first[1:]),
        "page_reply_done": summary_ms(done[1:]),
        "page_first_answer_ms": round(done[0] * 1000, 1),
    }


def run() -> dict[str, Any]:
    apply_offline_environment()
    tmp = Path(tempfile.mkdtemp())
    try:
        data = Settings(data_dir=tmp / "data")
        ingest(None, data)
        with serve_stand_in() as server:
            instant = added_latency(data, server)
            server.latency = SLOW_MODEL_S
            slow = added_latency(data, server, seed=11)
            server.latency = 0.0
            server.token_delay = 0.01  # ~100 tokens/s, so first token and end differ
            streaming = sink_ttft(data, server)
            page = page_ttft(data.data_dir, server)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "turns": TURNS,
        "instant_model": instant,
        "model_200ms": slow,
        "streaming": streaming,
        "page": page,
    }
    save("llm", result)
    return result


def _line(label: str, s: dict[str, Any]) -> str:
    return f"{label}: p50 {s['p50_ms']:.1f} ms  p95 {s['p95_ms']:.1f} ms  (n={s['n']})"


def show(r: dict[str, Any]) -> None:
    i, s = r["instant_model"], r["model_200ms"]
    print(_line("submit, offline brain", i["offline"]))
    print(_line("submit, LLM brain (instant stand-in)", i["llm"]))
    print(
        _line("  added by the LLM brain (our overhead)", i["added"])
        + f"; {i['requests_per_turn']} requests per turn (note + reply)"
    )
    print(
        _line(f"  added with a {SLOW_MODEL_S * 1000:.0f} ms model", s["added"])
        + "  (the private note is written after the reply, in the background)"
    )
    st = r["streaming"]
    print(_line("first streamed token at session.sink, from submit", st["sink_first_token"]))
    print(_line("  turn complete at session.sink (10 ms/token stand-in)", st["sink_turn_done"]))
    print(_line("  first token inside the client (model side)", st["client_first_token"]))
    p = r["page"]
    print(_line("first partial reply on the page (gradio_client)", p["page_first_token"]))
    print(_line("  reply complete on the page", p["page_reply_done"]))
    print(f"  (the first timed answer on the page: {p['page_first_answer_ms']:.0f} ms, left out)")
