"""The Gradio page: wiring only. The turn loop lives in `InterviewSession`.

Three screens (start, interview, report) plus a history of past sessions. Each browser tab holds
its own session object in a `gr.State`, so any number of people can practise at once; the models
behind them are shared and thread-safe.
"""

import html
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.config import Settings, apply_offline_environment

MAX_ANSWER_CHARS = 20_000
ROLE_LABEL = {"interviewer": "assistant", "candidate": "user"}


@dataclass
class Tab:
    """What one browser tab is doing."""

    session: Any = None  # an InterviewSession; typed loosely so the page loads before the engine
    spoken: bool = False
    hints: bool = False
    messages: list[dict[str, str]] = field(default_factory=list)


# --- logic, testable without a browser --------------------------------------------------------


class QueueSink:
    """Collects streamed words from the session thread for the page's generator to show."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, str]] = queue.Queue()

    def token(self, text: str) -> None:
        self._queue.put(("token", text))

    def reset(self) -> None:
        self._queue.put(("reset", ""))

    def close(self) -> None:
        self._queue.put(("end", ""))

    def events(self) -> Iterator[tuple[str, str]]:
        while True:
            kind, text = self._queue.get()
            if kind == "end":
                return
            yield kind, text


def persona_choices(settings: Settings) -> list[tuple[str, str]]:
    """(label, id) pairs for the persona picker, with a one-line description each."""
    from interviewer.personas import cached_personas

    return [
        (f"{p.name} · {p.role} — {p.description}", p.id)
        for p in cached_personas(settings.personas_dir).values()
    ]


def _progress(tab: Tab) -> str:
    s = tab.session
    if s is None:
        return ""
    if s.finished:
        return "**Interview finished.** Your report is below."
    return f"**Question {max(1, s.question_number)} of {s.total_questions}** · {s.persona.name}"


def _append_turns(tab: Tab, turns: list[Any]) -> None:
    for t in turns:
        if t.text.strip() and t.kind.value not in ("note", "notice"):
            tab.messages.append({"role": ROLE_LABEL[t.role.value], "content": t.text})


def _hint(tab: Tab) -> str:
    """A live hint after an answer: what the analysis saw in it (only when asked for)."""
    s = tab.session
    if not tab.hints or s is None or not s.transcript.turns:
        return ""
    from interviewer.analysis import Target, target_for
    from interviewer.schema import Role, ScoreStatus, TurnKind

    answers = [
        t for t in s.transcript.turns if t.role is Role.CANDIDATE and t.kind is TurnKind.ANSWER
    ]
    if not answers:
        return ""
    last = answers[-1]
    q = s.pack.questions.get(last.question_id or "")
    target = target_for(q) if q else Target(None, "", ())
    a = s.analyzer.analyze(last.answer(), target, s.persona)
    if a.status.value != "ok":
        return f"*Hint:* not enough evidence in that answer. {a.status_reason}"
    bits = [
        f"{d.value} {sc.value:.1f} ({sc.band})"
        for d, sc in a.scores.items()
        if sc.status is ScoreStatus.SCORED and sc.value is not None
    ]
    return "*Hint on your last answer:* " + " · ".join(bits)


def _speak(settings: Settings, tab: Tab, text: str) -> str | None:
    """The interviewer's line as a WAV for spoken mode (None when speech is unavailable)."""
    if not tab.spoken or tab.session is None or not text.strip():
        return None
    try:
        from interviewer.speech.tts import get_tts

        return str(get_tts(settings).synthesize(text, tab.session.persona.voice))
    except Exception:
        return None


def start_interview(
    settings: Settings, tab: Tab, persona: str, questions: int, mode: str, hints: bool, name: str
) -> tuple[Tab, str]:
    """Create a session and show the greeting and first question. Returns (tab, notice)."""
    import random

    from interviewer.schema import SessionConfig
    from interviewer.session import InterviewSession

    if not persona:
        return tab, "Choose an interviewer first."
    config = SessionConfig(
        questions=int(questions),
        seed=random.randrange(10**6),
        mode="spoken" if mode.startswith("Spoken") else "typed",
        hints=bool(hints),
        brain="llm" if settings.brain == "llm" and settings.llm_configured else "offline",
    )
    session = InterviewSession.create(
        settings, persona, config, candidate=(name or "").strip() or None
    )
    tab = Tab(session=session, spoken=config.mode == "spoken", hints=bool(hints))
    _append_turns(tab, session.start())
    session.warm_up_in_background()
    return tab, _drain(session)


def check_answer(tab: Tab, text: str) -> tuple[str | None, str]:
    """(the answer to submit or None, a notice): refuses what cannot be an answer, clearly."""
    s = tab.session
    if s is None:
        return None, "Start an interview first."
    if s.finished:
        return None, "This interview has finished; see the report below."
    text = (text or "").strip()
    if not text:
        return None, "Please write an answer first, or press **Skip question**."
    if len(text) > MAX_ANSWER_CHARS:
        kept = f"{MAX_ANSWER_CHARS:,}"
        return text[
            :MAX_ANSWER_CHARS
        ], f"That answer was very long; the first {kept} characters were kept."
    return text, ""


def models_ready(settings: Settings) -> bool:
    from interviewer.embeddings import get_analysis_embedder

    return get_analysis_embedder(settings).loaded


def submit_answer(settings: Settings, tab: Tab, text: str, shown: bool = False) -> tuple[Tab, str]:
    """Take a typed (or transcribed) answer. Returns (tab, notice for the page).

    `shown`: the page already displays the answer (it was echoed before the analysis ran)."""
    answer, notice = check_answer(tab, text)
    if answer is None:
        return tab, notice
    s = tab.session
    if not shown:
        tab.messages.append({"role": "user", "content": answer})
    _append_turns(tab, s.submit(answer))
    notices = [*s.notices, notice]
    s.notices.clear()
    return tab, " ".join(n for n in notices if n)


def transcribe_answer(settings: Settings, tab: Tab, audio_path: str | None) -> tuple[Tab, str]:
    """Spoken mode: transcribe the recording and submit it as the answer."""
    s = tab.session
    if s is None:
        return tab, "Start an interview first."
    if not audio_path:
        return tab, "No recording received: press the microphone, speak, then stop."
    try:
        from interviewer.speech.audio import AudioError
        from interviewer.speech.stt import get_stt
    except ImportError:
        return tab, "Speech recognition is not installed; type your answer instead."
    try:
        result = get_stt(settings).transcribe(Path(audio_path))
    except AudioError as exc:
        return tab, f"That file could not be used as an answer: {exc}"
    if result.no_speech or not result.text.strip():
        return (
            tab,
            "No speech detected in the recording. Please try again, a little closer to the mic.",
        )
    from interviewer.schema import Answer

    tab.messages.append({"role": "user", "content": result.text})
    answer = Answer(text=result.text, words=result.words, duration=result.duration)
    _append_turns(tab, s.submit(answer))
    return tab, _drain(s)


def skip_question(tab: Tab) -> tuple[Tab, str]:
    if tab.session is None or tab.session.finished:
        return tab, ""
    tab.messages.append({"role": "user", "content": "*(skipped)*"})
    _append_turns(tab, tab.session.skip())
    return tab, _drain(tab.session)


def finish_interview(tab: Tab) -> tuple[Tab, str]:
    if tab.session is None:
        return tab, "Start an interview first."
    _append_turns(tab, tab.session.end())
    return tab, _drain(tab.session)


def _drain(session: Any) -> str:
    """The session's notices for the page (each shown once)."""
    notes = " ".join(session.notices)
    session.notices.clear()
    return notes


def report_outputs(tab: Tab) -> tuple[str, list[str]]:
    """The report as an embeddable page and the paths of its downloads."""
    if tab.session is None or not tab.session.finished:
        return "", []
    _, written = tab.session.report()
    page = written["html"].read_text(encoding="utf-8")
    frame = (
        f'<iframe title="Interview feedback report" srcdoc="{html.escape(page, quote=True)}" '
        'style="width:100%;height:1400px;border:1px solid #dde1e6;border-radius:10px"></iframe>'
    )
    return frame, [str(written[f]) for f in ("md", "html", "json")]


def history_rows(settings: Settings) -> list[list[str]]:
    from interviewer.store import SessionStore

    rows = []
    for info in SessionStore(settings.data_dir / "sessions").list():
        started = f"{info.started_at:%Y-%m-%d %H:%M}" if info.started_at else "?"
        status = "finished" if info.finished else "unfinished"
        rows.append([info.session_id, info.persona, started, str(info.answers), status])
    return rows


def open_session(settings: Settings, session_id: str) -> tuple[Tab, str]:
    """Reopen a past session: its report if finished, the conversation to resume otherwise."""
    from interviewer.session import InterviewSession
    from interviewer.store import SessionNotFoundError
    from interviewer.transcripts import TranscriptError

    session_id = (session_id or "").strip()
    if not session_id:
        return Tab(), "Pick a session from the list first."
    try:
        session = InterviewSession.resume(settings, session_id)
    except (SessionNotFoundError, TranscriptError) as exc:
        return Tab(), str(exc)
    config = session.config
    tab = Tab(session=session, spoken=config.mode == "spoken", hints=config.hints)
    _append_turns(tab, [t for t in session.transcript.turns if t.kind.value != "notice"])
    if not session.finished:
        before = len(session.transcript.turns)
        session.start()  # replies to an answer that was saved just before a crash
        _append_turns(tab, session.transcript.turns[before:])
        session.warm_up_in_background()
    return tab, _drain(session)


# --- the page -----------------------------------------------------------------------------------

CSS = """
#title h1 {margin-bottom: 0}
.notice {color: #9a5b00; font-weight: 600}
footer {display: none !important}
"""


def build_app(settings: Settings) -> Any:
    """Build the Gradio Blocks app (not launched)."""
    apply_offline_environment()
    import gradio as gr

    personas = persona_choices(settings)
    with gr.Blocks(title="Interview practice") as demo:
        tab_state = gr.State(Tab())
        gr.Markdown(
            "# Interview practice · Machine Learning Engineer\n"
            "Rehearse with an interviewer persona, typed or spoken, then get measured feedback "
            "on **clarity**, **jargon** and **technical depth** — everything runs on this machine.",
            elem_id="title",
        )
        notice = gr.Markdown("", elem_classes=["notice"])

        with gr.Column(visible=True) as start_screen:
            persona = gr.Radio(
                personas, value=personas[0][1] if personas else None, label="Interviewer"
            )
            with gr.Row():
                questions = gr.Slider(1, 10, value=5, step=1, label="Questions")
                mode = gr.Radio(
                    ["Typed answers", "Spoken answers (microphone)"],
                    value="Typed answers",
                    label="How you answer",
                )
                hints = gr.Checkbox(value=False, label="Show a live hint after each answer")
            name = gr.Textbox(label="Your name (optional, for the report)", max_lines=1)
            start_btn = gr.Button("Start the interview", variant="primary")
            with gr.Accordion("History: past sessions", open=False):
                history = gr.Dataframe(
                    headers=["session", "persona", "started", "answers", "status"],
                    value=history_rows(settings),
                    interactive=False,
                    wrap=True,
                )
                with gr.Row():
                    pick = gr.Textbox(label="Session id (click a row or paste one)", max_lines=1)
                    open_btn = gr.Button("Open report / resume")
                    refresh_btn = gr.Button("Refresh")

        with gr.Column(visible=False) as interview_screen:
            progress = gr.Markdown("")
            chat = gr.Chatbot(label="Interview", height=460, buttons=["copy"])
            voice_out = gr.Audio(
                label="Interviewer",
                autoplay=True,
                visible=False,
                interactive=False,
                type="filepath",
            )
            answer = gr.Textbox(
                label="Your answer",
                lines=5,
                max_lines=20,
                placeholder="Type your answer, then press Send (Shift+Enter for a new line).",
            )
            mic = gr.Audio(
                sources=["microphone", "upload"],
                type="filepath",
                label="Record your answer",
                visible=False,
            )
            hint = gr.Markdown("")
            with gr.Row():
                send_btn = gr.Button("Send answer", variant="primary")
                skip_btn = gr.Button("Skip question")
                finish_btn = gr.Button("Finish and see report", variant="stop")

        with gr.Column(visible=False) as report_screen:
            report_html = gr.HTML("")
            downloads = gr.File(
                label="Download the report (Markdown, HTML, JSON)",
                file_count="multiple",
                interactive=False,
            )
            again_btn = gr.Button("Practise again", variant="primary")

        screens = [start_screen, interview_screen, report_screen]

        def render(tab: Tab, message: str, busy: bool = False) -> tuple[Any, ...]:
            s = tab.session
            finished = bool(s is not None and s.finished)
            active = s is not None and not finished
            page, files = report_outputs(tab) if finished else ("", [])
            last = tab.messages[-1]["content"] if tab.messages and active and not busy else ""
            return (
                tab,
                message,
                gr.update(visible=s is None),
                gr.update(visible=active),
                gr.update(visible=finished),
                _progress(tab),
                tab.messages,
                gr.update(
                    value=_speak(settings, tab, last) if tab.spoken and last else None,
                    visible=tab.spoken and active,
                ),
                gr.update(value="", visible=active),
                gr.update(value=None, visible=tab.spoken and active),
                _hint(tab) if active and not busy else "",
                page,
                files or None,
            )

        outputs = [
            tab_state,
            notice,
            *screens,
            progress,
            chat,
            voice_out,
            answer,
            mic,
            hint,
            report_html,
            downloads,
        ]

        def on_start(tab: Tab, p: str, n: float, m: str, h: bool, nm: str) -> tuple[Any, ...]:
            tab, msg = start_interview(settings, tab, p, int(n), m, h, nm)
            return render(tab, msg)

        def on_submit(tab: Tab, text: str) -> Any:
            answer, problem = check_answer(tab, text)
            if answer is None:
                yield render(tab, problem)
                return
            # Show the answer at once; the first analysis may wait for the model to load.
            tab.messages.append({"role": "user", "content": answer})
            if tab.session.brain.name == "llm":
                yield from stream_reply(tab, answer, problem)
                return
            waiting = (
                f"{tab.session.persona.name} is reading your answer"
                + (
                    ""
                    if models_ready(settings)
                    else " (loading the analysis model, first time only: a few seconds)"
                )
                + "..."
            )
            yield render(tab, waiting, busy=True)
            tab, after = submit_answer(settings, tab, answer, shown=True)
            yield render(tab, " ".join(m for m in (problem, after) if m))

        def stream_reply(tab: Tab, answer: str, problem: str) -> Any:
            """Run the turn in a thread and show the model's words as they arrive."""
            sink = QueueSink()
            tab.session.sink = sink
            result: dict[str, Any] = {}

            def work() -> None:
                try:
                    result["out"] = submit_answer(settings, tab, answer, shown=True)
                finally:
                    sink.close()

            worker = threading.Thread(target=work, daemon=True)
            worker.start()
            base = list(tab.messages)
            partial = ""
            for kind, text in sink.events():
                partial = "" if kind == "reset" else partial + text
                if partial.strip():
                    tab.messages = [*base, {"role": "assistant", "content": partial}]
                    yield render(tab, "", busy=True)
            worker.join()
            tab.session.sink = None
            tab, after = result.get("out", (tab, "The turn failed; please try again."))
            yield render(tab, " ".join(m for m in (problem, after) if m))

        def on_audio(tab: Tab, path: str | None) -> tuple[Any, ...]:
            if not path:
                return render(tab, "")
            tab, msg = transcribe_answer(settings, tab, path)
            return render(tab, msg)

        def on_skip(tab: Tab) -> tuple[Any, ...]:
            return render(*skip_question(tab))

        def on_finish(tab: Tab) -> tuple[Any, ...]:
            return render(*finish_interview(tab))

        def on_again(tab: Tab) -> tuple[Any, ...]:
            return render(Tab(), "")

        def on_open(tab: Tab, sid: str) -> tuple[Any, ...]:
            return render(*open_session(settings, sid))

        def on_pick(evt: gr.SelectData) -> str:
            row = evt.row_value if hasattr(evt, "row_value") else None
            return str(row[0]) if row else ""

        start_btn.click(
            on_start, [tab_state, persona, questions, mode, hints, name], outputs, api_name="start"
        )
        send_btn.click(on_submit, [tab_state, answer], outputs, api_name="answer")
        answer.submit(on_submit, [tab_state, answer], outputs, api_visibility="private")
        mic.stop_recording(on_audio, [tab_state, mic], outputs, api_name="spoken_answer")
        mic.upload(on_audio, [tab_state, mic], outputs, api_visibility="private")
        skip_btn.click(on_skip, [tab_state], outputs, api_name="skip")
        finish_btn.click(on_finish, [tab_state], outputs, api_name="finish")
        again_btn.click(on_again, [tab_state], outputs, api_visibility="private")
        open_btn.click(on_open, [tab_state, pick], outputs, api_name="open_session")
        refresh_btn.click(lambda: history_rows(settings), None, history, api_visibility="private")
        history.select(on_pick, None, pick, api_visibility="private")
    demo.queue(default_concurrency_limit=16)
    return demo


def warm_up(settings: Settings) -> None:
    """Load the models and embed the question bank, so the first answer is not kept waiting."""
    from interviewer import runtime
    from interviewer.analysis import target_for

    pack = runtime.pack(settings)
    runtime.analyzer(settings).warm([target_for(q) for q in pack.questions.values()])


def launch(settings: Settings) -> None:
    """Start the page on the configured host and port (local only unless sharing is asked for)."""
    demo = build_app(settings)
    threading.Thread(target=warm_up, args=(settings,), daemon=True).start()
    auth = None
    if settings.auth:
        user, _, password = settings.auth.partition(":")
        auth = (user, password)
    import gradio as gr

    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=settings.share,
        auth=auth,
        theme=gr.themes.Soft(),
        css=CSS,
        allowed_paths=[str(settings.data_dir)],
        quiet=not settings.share,  # Gradio's own banner talks about launch() arguments
        prevent_thread_lock=True,
    )
    if not settings.share:
        print(
            f"Interview practice is running at http://{settings.host}:{settings.port} "
            "(open it in your browser; Ctrl-C stops it).",
            flush=True,
        )
    demo.block_thread()
