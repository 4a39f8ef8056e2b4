"""`interviewer chat` and `interviewer sessions` as a user runs them.

Two ways in: `click.testing.CliRunner`, whose standard input is not a terminal, so `chat` reads
answers as blocks separated by blank lines; and the real `interviewer` program in a
pseudo-terminal, where it runs interactively, including a run that is killed mid-interview and
resumed.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import main
from interviewer.config import Settings
from interviewer.personas import cached_personas
from interviewer.schema import Role, SessionConfig, TurnKind
from interviewer.session import InterviewSession
from interviewer.store import TRANSCRIPT
from interviewer.transcripts import read_transcript

CLI = Path(sys.executable).with_name("interviewer")
SESSION_ID = re.compile(r"\b\d{8}-\d{6}-[a-z_]+-[0-9a-f]{4}\b")
PERSONAS = cached_personas(Settings().personas_dir)
RECRUITER = PERSONAS["recruiter"]
BACKEND = PERSONAS["backend_engineer"]

#: Answers for `chat -p recruiter -n 2 --seed 1` (first question: the CREDIT values).
VALUES_ANSWER = (
    "Of the six CREDIT values in the GitLab handbook, the one that resonates most with me is "
    "Transparency, because it matters to me personally that people can see why a decision was "
    "made. At my last job I was responsible for reporting how well our email sorting tool "
    "worked. I decided to publish every weekly result in an open document, including the bad "
    "weeks. As a result the support leads trusted the numbers and complaints dropped by 30%. In "
    "an all-remote, async company that matters even more, though it can clash with "
    "confidentiality, so I balance the two."
)
STORY_ANSWER = (
    "At my last job I owned a project that sorted support emails, from the messy data to the "
    "live tool. My goal was to get it running for the support team within a quarter. I cleaned "
    "two years of old emails, I built the first version in two weeks and I set up a weekly "
    "check of its mistakes. As a result the emails reached the right team a day faster."
)
FOLLOW_UP_ANSWER = (
    "I personally wrote the weekly summary, and I asked the support leads what confused them, "
    "so the next version of the document answered those questions first."
)
ANALOGY_ANSWER = (
    "Training is like the build step of a service: it is slow, runs offline and produces an "
    "artifact, the model file. Inference is the running service that answers each request "
    "within a latency budget."
)
WEIGHTS_ANSWER = (
    "The weights are a versioned artifact, so you store them, release them and roll back to "
    "the previous version like any other build output."
)


def blocks(*answers: str) -> str:
    """Answers as a script would pipe them: blocks separated by blank lines."""
    return "\n\n".join(answers) + "\n"


def flat(text: str) -> str:
    """Output with line wrapping undone, for matching sentences."""
    return " ".join(text.split())


@pytest.fixture()
def data_dir(pack_settings: Settings, tmp_path: Path) -> Path:
    """A data folder of this test's own, holding a copy of the knowledge-pack index."""
    d = tmp_path / "data"
    shutil.copytree(pack_settings.index_dir, d / "index")
    return d


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps and truncates at the console width; give the tables room."""
    monkeypatch.setenv("COLUMNS", "200")


def run(data_dir: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def only_session(data_dir: Path) -> str:
    found = [p.name for p in (data_dir / "sessions").iterdir()]
    assert len(found) == 1, found
    return found[0]


# --- non-interactive chat (CliRunner) --------------------------------------------------------


def test_chat_with_piped_answers_prints_the_interview_the_summary_and_the_report(
    data_dir: Path,
) -> None:
    answers = [VALUES_ANSWER, STORY_ANSWER, FOLLOW_UP_ANSWER, FOLLOW_UP_ANSWER]
    code, out = run(
        data_dir, "chat", "-p", "recruiter", "-n", "2", "--seed", "1", input=blocks(*answers)
    )
    assert code == 0, out
    text = flat(out)
    assert "Type your answer" not in text  # no prompts or help when not on a terminal
    assert text.count("Jordan Reyes:") >= 4  # greeting, two questions, closing
    assert "Question 1 of 2" in text and "Question 2 of 2" in text
    assert "Which of GitLab's CREDIT values resonates most with you, and why?" in text
    assert any(flat(line) in text for line in RECRUITER.opening)
    assert any(flat(line) in text for line in RECRUITER.closing)
    assert "Overall:" in text and "Strengths" in text and "To improve" in text
    assert text.index("Question 2 of 2") < text.index("Overall:")

    sid = only_session(data_dir)
    folder = data_dir / "sessions" / sid
    for fmt in ("md", "html", "json"):
        path = folder / f"report.{fmt}"
        assert path.is_file()
        assert re.search(rf"{fmt}: {re.escape(str(path))}", out), out
    transcript = read_transcript(folder / TRANSCRIPT)
    said = [t.text for t in transcript.turns if t.kind is TurnKind.ANSWER]
    assert said and said[0] == VALUES_ANSWER
    assert set(said) <= set(answers)
    assert transcript.turns[-1].kind is TurnKind.CLOSING


def test_sessions_lists_the_interview_as_finished(data_dir: Path) -> None:
    code, out = run(data_dir, "sessions")
    assert code == 0 and "No sessions yet" in out
    run(
        data_dir,
        "chat",
        "-p",
        "recruiter",
        "-n",
        "1",
        "--seed",
        "1",
        input=blocks(VALUES_ANSWER),
    )
    sid = only_session(data_dir)
    code, out = run(data_dir, "sessions")
    assert code == 0, out
    row = next(line for line in out.splitlines() if sid in line)
    assert "recruiter" in row and "finished" in row and "unfinished" not in row


def test_sessions_marks_an_interrupted_interview_unfinished(data_dir: Path) -> None:
    session = InterviewSession.create(
        Settings(data_dir=data_dir), "ml_expert", SessionConfig(questions=3, seed=0)
    )
    session.start()
    older = InterviewSession.create(
        Settings(data_dir=data_dir), "recruiter", SessionConfig(questions=1, seed=1)
    )
    older.start()
    older.end()
    code, out = run(data_dir, "sessions")
    assert code == 0
    rows = {sid: line for line in out.splitlines() for sid in SESSION_ID.findall(line)}
    assert "unfinished" in rows[session.session_id] and "ml_expert" in rows[session.session_id]
    assert "unfinished" not in rows[older.session_id]


def test_sessions_shows_ids_in_full_in_an_80_column_terminal(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = InterviewSession.create(
        Settings(data_dir=data_dir), "backend_engineer", SessionConfig(questions=2, seed=1)
    )
    session.start()
    monkeypatch.setenv("COLUMNS", "80")
    code, out = run(data_dir, "sessions")
    assert code == 0
    assert session.session_id in out, out


def test_resuming_a_finished_session_shows_the_end_and_the_report(data_dir: Path) -> None:
    run(data_dir, "chat", "-p", "recruiter", "-n", "1", "--seed", "1", input=blocks("/end"))
    sid = only_session(data_dir)
    path = data_dir / "sessions" / sid / TRANSCRIPT
    before = read_transcript(path).turns
    closing = before[-1]
    assert closing.kind is TurnKind.CLOSING

    code, out = run(data_dir, "chat", "--resume", sid, input=blocks(STORY_ANSWER))
    assert code == 0, out
    text = flat(out)
    assert flat(closing.text) in text
    assert "Question 1 of" not in text  # nothing new is asked
    assert "Overall:" in text and "not enough evidence" in text
    assert f"json: {data_dir / 'sessions' / sid / 'report.json'}" in text
    assert len(read_transcript(path).turns) == len(before)  # the answer was not taken


def test_resuming_an_unfinished_session_carries_on_from_the_file(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    session = InterviewSession.create(
        settings, "backend_engineer", SessionConfig(questions=2, seed=1)
    )
    session.start()
    session.submit(ANALOGY_ANSWER)
    last = session.last_prompt
    assert last is not None and not session.finished

    code, out = run(
        data_dir, "chat", "--resume", session.session_id, input=blocks(WEIGHTS_ANSWER, "/end")
    )
    assert code == 0, out
    text = flat(out)
    first_turn = text[text.index(f"{BACKEND.name}:") :]
    assert first_turn.startswith(f"{BACKEND.name}: {flat(last.text)}")  # where it stood
    assert "Overall:" in text
    turns = read_transcript(settings.data_dir / "sessions" / session.session_id / TRANSCRIPT)
    answers = [t.text for t in turns.turns if t.kind is TurnKind.ANSWER]
    assert answers == [ANALOGY_ANSWER, WEIGHTS_ANSWER]
    assert turns.turns[-1].kind is TurnKind.CLOSING


def test_chat_commands_help_repeat_skip_and_end(data_dir: Path) -> None:
    script = blocks("/help", "/repeat", "/skip", "/nonsense", "/end", STORY_ANSWER)
    code, out = run(
        data_dir, "chat", "-p", "backend_engineer", "-n", "3", "--seed", "1", input=script
    )
    assert code == 0, out
    text = flat(out)
    assert "Commands: /skip" in text
    question = (
        "Using analogies from software engineering, explain to a backend engineer what "
        "training, inference and overfitting are."
    )
    assert text.count(question) == 2  # asked, then repeated
    assert "Question 2 of 3" in text and "Question 3 of 3" not in text
    assert "Unknown command /nonsense" in text
    sid = only_session(data_dir)
    turns = read_transcript(data_dir / "sessions" / sid / TRANSCRIPT).turns
    assert [t.kind for t in turns if t.role is Role.CANDIDATE] == [TurnKind.SKIP]
    assert turns[-1].kind is TurnKind.CLOSING  # /end, and the answer after it was never read


def test_end_of_input_finishes_the_interview(data_dir: Path) -> None:
    code, out = run(data_dir, "chat", "-p", "ml_expert", "-n", "3", "--seed", "0", input="")
    assert code == 0, out
    assert "Overall:" in out and "not enough evidence" in flat(out)
    sid = only_session(data_dir)
    turns = read_transcript(data_dir / "sessions" / sid / TRANSCRIPT).turns
    assert [t.kind for t in turns] == [TurnKind.GREETING, TurnKind.QUESTION, TurnKind.CLOSING]


def test_an_unknown_persona_is_a_usage_error_listing_the_choices(data_dir: Path) -> None:
    code, out = run(data_dir, "chat", "-p", "pirate", input=blocks(STORY_ANSWER))
    assert code == 2
    assert "pirate" in out
    for pid in ("backend_engineer", "ml_expert", "recruiter"):
        assert pid in out
    assert not (data_dir / "sessions").exists()


def test_an_unknown_persona_is_reported_before_building_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer import cli

    built: list[object] = []
    monkeypatch.setattr(cli, "_run_ingest", lambda *a: built.append(a))
    code, _ = run(tmp_path / "fresh", "chat", "-p", "pirate", input="")
    assert code == 2
    assert built == []


@pytest.mark.parametrize(
    ("sid", "message"),
    [("20990101-000000-recruiter-beef", "no session"), ("../x", "not a valid session id")],
)
def test_resuming_an_unknown_or_invalid_id_fails_with_a_hint(
    data_dir: Path, sid: str, message: str
) -> None:
    code, out = run(data_dir, "chat", "--resume", sid, input="")
    assert code == 1
    assert message in flat(out) and "interviewer sessions" in flat(out)


# --- the real program in a pseudo-terminal ----------------------------------------------------

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>]|\r"
)
#: Model loading and the first analysis take a while, more on a busy machine.
WAIT = 180.0


class Terminal:
    """The `interviewer` program on a pseudo-terminal, read without blocking."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 220, 0, 0))
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "220", "LINES": "50"}
        self.proc = subprocess.Popen(
            [str(CLI), *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.raw = b""
        self.closed = False

    @property
    def text(self) -> str:
        return _ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def _read(self, timeout: float) -> None:
        if self.closed:
            time.sleep(min(timeout, 0.1))
            return
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the program has exited and the terminal is gone
            chunk = b""
        if chunk:
            self.raw += chunk
        else:
            self.closed = True

    def expect(self, ready: Callable[[str], bool], what: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.2)
            if ready(self.text):
                return self.text
            if self.closed and not ready(self.text):
                break
        raise AssertionError(
            f"no {what} after {timeout:.0f}s; the screen ends with:\n{self.text[-3000:]}"
        )

    def type(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8"))

    def answer(self, *lines: str) -> None:
        """Type an answer, one line at a time, and finish it with an empty line."""
        for line in lines:
            self.type(line + "\n")
        self.type("\n")

    def kill(self) -> int:
        os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=30)

    def wait(self, timeout: float = WAIT) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        return self.proc.wait(timeout=1)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        os.close(self.master)


def waiting_for_answer(name: str, turns: int) -> Callable[[str], bool]:
    """`turns` interviewer turns on screen and the answer prompt after the last one."""

    def ready(text: str) -> bool:
        return text.count(f"{name}:") >= turns and text.rstrip(" ").endswith(">")

    return ready


@pytest.fixture()
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for t in opened:
        t.close()


def start(terminals: list[Terminal], *args: str) -> Terminal:
    if not CLI.is_file():
        pytest.skip(f"the interviewer program is not installed at {CLI}")
    t = Terminal(*args)
    terminals.append(t)
    return t


@pytest.mark.slow
def test_a_typed_interview_in_a_terminal_from_start_to_report(
    data_dir: Path, terminals: list[Terminal]
) -> None:
    name = RECRUITER.name
    term = start(
        terminals, "--data-dir", str(data_dir), "chat", "-p", "recruiter", "-n", "2", "--seed", "1"
    )
    screen = term.expect(waiting_for_answer(name, 2), "first question")
    assert "Type your answer; finish it with an empty line" in screen  # interactive help
    assert "Question 1 of 2" in screen

    first, second = VALUES_ANSWER.split(". ", 1)
    term.answer(first + ".", second)  # an answer over two lines
    term.expect(waiting_for_answer(name, 3), "reply to the first answer")
    term.type("/end\n")
    screen = term.expect(lambda s: "json:" in s, "report paths")
    assert term.wait() == 0, screen

    sid = only_session(data_dir)
    folder = data_dir / "sessions" / sid
    assert "Overall:" in screen
    for fmt in ("md", "html", "json"):
        assert (folder / f"report.{fmt}").is_file()
        assert str(folder / f"report.{fmt}") in flat(screen)
    turns = read_transcript(folder / TRANSCRIPT).turns
    assert [t.text for t in turns if t.kind is TurnKind.ANSWER] == [f"{first}.\n{second}"]
    assert turns[-1].kind is TurnKind.CLOSING


@pytest.mark.slow
def test_an_interview_killed_mid_way_resumes_from_the_transcript(
    data_dir: Path, terminals: list[Terminal]
) -> None:
    name = BACKEND.name
    args = ("--data-dir", str(data_dir))
    term = start(terminals, *args, "chat", "-p", "backend_engineer", "-n", "3", "--seed", "5")
    term.expect(lambda s: "Question 1 of 3" in s, "first question")
    term.expect(waiting_for_answer(name, 2), "answer prompt")
    term.answer(ANALOGY_ANSWER)
    screen = term.expect(waiting_for_answer(name, 3), "reply to the first answer")
    assert term.kill() == -signal.SIGKILL

    # Which session was it? Ask the program, and check against the folder.
    listing = subprocess.run(
        [str(CLI), *args, "sessions"],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env={**os.environ, "COLUMNS": "220"},
        check=True,
    ).stdout
    ids = SESSION_ID.findall(listing)
    assert ids == [only_session(data_dir)], listing
    sid = ids[0]
    row = next(line for line in listing.splitlines() if sid in line)
    assert "unfinished" in row and "backend_engineer" in row

    path = data_dir / "sessions" / sid / TRANSCRIPT
    turns = read_transcript(path).turns
    assert [t.text for t in turns if t.kind is TurnKind.ANSWER] == [ANALOGY_ANSWER]
    reply = turns[-1]
    assert reply.role is Role.INTERVIEWER and flat(reply.text) in flat(screen)

    # A new process carries on where the file ends.
    term = start(terminals, *args, "chat", "--resume", sid)
    screen = term.expect(waiting_for_answer(name, 1), "the turn it stopped at")
    assert flat(reply.text) in flat(screen)
    term.answer(WEIGHTS_ANSWER)
    screen = term.expect(waiting_for_answer(name, 2), "a further question or follow-up")
    turns = read_transcript(path).turns
    assert [t.text for t in turns if t.kind is TurnKind.ANSWER] == [
        ANALOGY_ANSWER,
        WEIGHTS_ANSWER,
    ]
    assert turns[-1].role is Role.INTERVIEWER
    assert turns[-1].kind in (TurnKind.QUESTION, TurnKind.FOLLOWUP)
    assert flat(turns[-1].text) in flat(screen)

    term.type("/end\n\n")
    screen = term.expect(lambda s: "json:" in s, "report paths")
    assert term.wait() == 0, screen
    turns = read_transcript(path).turns
    assert turns[-1].kind is TurnKind.CLOSING
    assert [t.text for t in turns if t.kind is TurnKind.ANSWER] == [
        ANALOGY_ANSWER,
        WEIGHTS_ANSWER,
    ]
    assert [t.index for t in turns] == list(range(len(turns)))
    for fmt in ("md", "html", "json"):
        assert (path.parent / f"report.{fmt}").is_file()
