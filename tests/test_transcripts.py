"""Reading the project's transcript formats, including files cut short by a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.schema import Role, TurnKind
from interviewer.transcripts import TranscriptError, read_transcript
from tests.paths import FIXTURES


def test_json_transcript_reads_with_its_turns() -> None:
    t = read_transcript(FIXTURES / "sample_transcript.json")
    assert t.persona == "backend_engineer" and len(t.turns) == 14
    assert t.turns[2].role is Role.CANDIDATE and t.turns[2].kind is TurnKind.ANSWER


def _jsonl(tmp_path: Path, lines: list[str]) -> Path:
    f = tmp_path / "s.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


HEADER = json.dumps(
    {
        "type": "header",
        "format": "interviewer-transcript",
        "version": 1,
        "session_id": "s1",
        "persona": "recruiter",
    }
)
TURN = json.dumps(
    {"type": "turn", "index": 0, "role": "interviewer", "kind": "question", "text": "Why remote?"}
)


def test_jsonl_with_a_torn_last_line_keeps_the_complete_turns(tmp_path: Path) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text(HEADER + "\n" + TURN + "\n" + TURN[:25], encoding="utf-8")
    assert len(read_transcript(f).turns) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "not an interviewer transcript"),
        (
            '{"format": "interviewer-transcript", "version": 99, "session_id": "x", '
            '"persona": "p"}',
            "newer than this program",
        ),
    ],
)
def test_malformed_transcripts_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "t.json"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match=message):
        read_transcript(f)


def test_jsonl_bad_middle_line_and_missing_header(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="line 2"):
        read_transcript(_jsonl(tmp_path, [HEADER, "{oops", TURN]))
    with pytest.raises(TranscriptError, match="no header"):
        read_transcript(_jsonl(tmp_path, [TURN]))
