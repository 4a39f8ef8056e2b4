"""Session transcripts on disk: one JSONL file per session, appended turn by turn.

The store is the engine's only memory: a session is whatever its transcript file says. These
tests pin down the file layout, the listing shown by `interviewer sessions`, and that a session
id can never name a folder outside the sessions root.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.schema import Role, SessionConfig, Transcript, Turn, TurnKind
from interviewer.store import (
    TRANSCRIPT,
    SessionNotFoundError,
    SessionStore,
    new_session_id,
)
from interviewer.transcripts import read_transcript

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def turn(index: int, role: Role, kind: TurnKind, text: str, **extra: object) -> Turn:
    return Turn(index=index, role=role, kind=kind, text=text, at=T0, **extra)


def transcript(session_id: str, persona: str = "recruiter", started: datetime = T0) -> Transcript:
    return Transcript(
        session_id=session_id,
        persona=persona,
        started_at=started,
        config=SessionConfig(questions=2, seed=7),
    )


GREETING = turn(0, Role.INTERVIEWER, TurnKind.GREETING, "Hi, I'm Jordan. Shall we begin?")
QUESTION = turn(
    1,
    Role.INTERVIEWER,
    TurnKind.QUESTION,
    "Which of GitLab's CREDIT values resonates most with you, and why?",
    question_id="val-which-value-resonates",
)
ANSWER = turn(
    2,
    Role.CANDIDATE,
    TurnKind.ANSWER,
    "Transparency, because I like people to see why a decision was made.",
    question_id="val-which-value-resonates",
)
CLOSING = turn(3, Role.INTERVIEWER, TurnKind.CLOSING, "That's it from me. Thank you!")


@pytest.fixture()
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions")


def test_create_writes_a_header_line_then_one_line_per_turn(store: SessionStore) -> None:
    path = store.create(transcript("s-1"))
    assert path == store.root / "s-1" / TRANSCRIPT
    for t in (GREETING, QUESTION, ANSWER):
        store.append("s-1", t)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in lines] == ["header", "turn", "turn", "turn"]
    assert lines[0]["session_id"] == "s-1" and lines[0]["persona"] == "recruiter"
    assert lines[0]["config"]["seed"] == 7 and "turns" not in lines[0]
    assert lines[3]["role"] == "candidate" and lines[3]["question_id"] == QUESTION.question_id


def test_load_reads_back_exactly_what_was_appended(store: SessionStore) -> None:
    store.create(transcript("s-1"))
    for t in (GREETING, QUESTION, ANSWER):
        store.append("s-1", t)
    loaded = store.load("s-1")
    assert loaded.session_id == "s-1" and loaded.config == SessionConfig(questions=2, seed=7)
    assert [(t.role, t.kind, t.text, t.question_id) for t in loaded.turns] == [
        (t.role, t.kind, t.text, t.question_id) for t in (GREETING, QUESTION, ANSWER)
    ]


def test_create_writes_turns_the_transcript_already_has(store: SessionStore) -> None:
    t = transcript("s-1").model_copy(update={"turns": [GREETING, QUESTION]})
    store.create(t)
    assert [x.kind for x in store.load("s-1").turns] == [TurnKind.GREETING, TurnKind.QUESTION]


def test_create_refuses_to_overwrite_an_existing_session(store: SessionStore) -> None:
    store.create(transcript("s-1"))
    store.append("s-1", GREETING)
    with pytest.raises(FileExistsError):
        store.create(transcript("s-1"))
    assert len(store.load("s-1").turns) == 1


def test_a_torn_last_line_is_ignored_when_loading(store: SessionStore) -> None:
    path = store.create(transcript("s-1"))
    store.append("s-1", GREETING)
    store.append("s-1", QUESTION)
    with path.open("a", encoding="utf-8") as f:
        f.write('{"type": "turn", "index": 2, "role": "candidate", "kind": "ans')  # killed here
    loaded = store.load("s-1")
    assert [t.kind for t in loaded.turns] == [TurnKind.GREETING, TurnKind.QUESTION]


def test_loading_an_unknown_session_names_the_id_and_the_command(store: SessionStore) -> None:
    with pytest.raises(SessionNotFoundError, match=r"'nope'.*interviewer sessions"):
        store.load("nope")


def test_list_is_newest_first_and_tells_finished_from_unfinished(store: SessionStore) -> None:
    old = transcript("old-one", "recruiter", T0)
    new = transcript("new-one", "ml_expert", T0 + timedelta(days=2))
    middle = transcript("middle-one", "backend_engineer", T0 + timedelta(days=1))
    for header in (new, old, middle):  # creation order must not matter
        store.create(header)
    for t in (GREETING, QUESTION, ANSWER, CLOSING):
        store.append("old-one", t)
    for t in (GREETING, QUESTION):
        store.append("new-one", t)

    found = store.list()
    assert [s.session_id for s in found] == ["new-one", "middle-one", "old-one"]
    by_id = {s.session_id: s for s in found}
    assert by_id["old-one"].finished and not by_id["new-one"].finished
    assert not by_id["middle-one"].finished
    assert (by_id["old-one"].questions, by_id["old-one"].answers) == (1, 1)
    assert (by_id["new-one"].questions, by_id["new-one"].answers) == (1, 0)
    assert by_id["new-one"].persona == "ml_expert"
    assert by_id["old-one"].path == store.path("old-one")


def test_list_skips_folders_that_are_not_readable_sessions(store: SessionStore) -> None:
    store.create(transcript("good"))
    (store.root / "empty-folder").mkdir()
    broken = store.root / "broken"
    broken.mkdir()
    (broken / TRANSCRIPT).write_text("{not json\n" + json.dumps({"a": 1}) + "\n", "utf-8")
    (store.root / "stray.txt").write_text("not a session", encoding="utf-8")
    assert [s.session_id for s in store.list()] == ["good"]


def test_list_of_a_missing_root_is_empty(tmp_path: Path) -> None:
    assert SessionStore(tmp_path / "does-not-exist").list() == []


@pytest.mark.parametrize(
    "bad_id",
    [
        "../x",
        "..",
        ".",
        "../../etc/passwd",
        "a/b",
        "a\\b",
        "/tmp/x",
        "",
        ".hidden",
        "-rf",
        "x" * 90,
    ],
)
def test_ids_that_could_escape_the_sessions_folder_are_refused(
    store: SessionStore, bad_id: str
) -> None:
    for call in (store.folder, store.path, store.load):
        with pytest.raises(SessionNotFoundError, match="not a valid session id"):
            call(bad_id)
    with pytest.raises(SessionNotFoundError):
        store.create(transcript(bad_id))
    with pytest.raises(SessionNotFoundError):
        store.append(bad_id, GREETING)
    assert not (store.root.parent / "x").exists()


def test_resuming_with_a_path_traversal_id_is_refused(settings: Settings) -> None:
    from interviewer.session import InterviewSession

    victim = settings.data_dir / "x"
    victim.mkdir(parents=True)
    (victim / TRANSCRIPT).write_text(
        json.dumps({"type": "header", **transcript("x").model_dump(mode="json")}) + "\n", "utf-8"
    )
    with pytest.raises(SessionNotFoundError, match="not a valid session id"):
        InterviewSession.resume(settings, "../x")


def test_an_id_with_a_trailing_newline_is_refused(store: SessionStore) -> None:
    with pytest.raises(SessionNotFoundError):
        store.folder("good-id\n")


def test_new_session_ids_are_valid_unique_and_name_the_persona(store: SessionStore) -> None:
    ids = {new_session_id("backend_engineer") for _ in range(20)}
    assert len(ids) > 1
    for sid in ids:
        assert "backend_engineer" in sid
        assert store.folder(sid) == store.root / sid


def test_appended_lines_survive_as_complete_json_lines(store: SessionStore) -> None:
    """Every append ends with a newline, so a reader never sees two turns on one line."""
    path = store.create(transcript("s-1"))
    text_with_newlines = "First line.\nSecond line.\n\nAfter a blank line."
    store.append("s-1", turn(0, Role.CANDIDATE, TurnKind.ANSWER, text_with_newlines))
    raw = path.read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 2
    assert read_transcript(path).turns[0].text == text_with_newlines
