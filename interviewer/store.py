"""Transcripts on disk: one JSONL file per session, appended and fsynced turn by turn.

Layout under the data folder:

    sessions/<session-id>/transcript.jsonl   header line, then one line per turn
    sessions/<session-id>/report.{md,html,json}

A turn is on disk (written, flushed and fsynced) before the next question is shown, so a killed
process loses nothing that was said; `interviewer chat --resume ID` carries on from the file.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interviewer.schema import Transcript, Turn, TurnKind
from interviewer.transcripts import TranscriptError, read_transcript

TRANSCRIPT = "transcript.jsonl"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


class SessionNotFoundError(LookupError):
    """No session with that id exists."""


def new_session_id(persona: str) -> str:
    """Readable and unique: date, time, persona and a random suffix."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{persona}-{secrets.token_hex(2)}"


@dataclass(frozen=True)
class SessionInfo:
    """A line in `interviewer sessions`."""

    session_id: str
    persona: str
    started_at: datetime | None
    questions: int
    answers: int
    finished: bool
    path: Path


class SessionStore:
    """Creates, appends to, reads and lists session transcripts under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def folder(self, session_id: str) -> Path:
        if not _SAFE_ID.fullmatch(session_id):
            raise SessionNotFoundError(f"not a valid session id: {session_id!r}")
        return self.root / session_id

    def path(self, session_id: str) -> Path:
        return self.folder(session_id) / TRANSCRIPT

    def create(self, transcript: Transcript) -> Path:
        """Start a session file with its header (and any turns the transcript already has)."""
        folder = self.folder(transcript.session_id)
        folder.mkdir(parents=True, exist_ok=False)
        header = transcript.model_dump(mode="json", exclude={"turns"})
        header = {"type": "header", **header}
        self._append_line(self.path(transcript.session_id), header)
        for turn in transcript.turns:
            self.append(transcript.session_id, turn)
        return self.path(transcript.session_id)

    def append(self, session_id: str, turn: Turn) -> None:
        """Append one turn durably (flushed and fsynced before returning)."""
        record = {"type": "turn", **turn.model_dump(mode="json", exclude_none=True)}
        self._append_line(self.path(session_id), record)

    def _append_line(self, path: Path, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            repair_torn_tail(path)
            self._write(path, line)

    @staticmethod
    def _write(path: Path, line: str) -> None:
        with path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def load(self, session_id: str) -> Transcript:
        path = self.path(session_id)
        if not path.is_file():
            raise SessionNotFoundError(
                f"no session {session_id!r} in {self.root} (see `interviewer sessions`)"
            )
        with self._lock:
            repair_torn_tail(path)
        return read_transcript(path)

    def list(self) -> list[SessionInfo]:
        """Every readable session, newest first."""
        out: list[SessionInfo] = []
        if not self.root.is_dir():
            return out
        for folder in self.root.iterdir():
            path = folder / TRANSCRIPT
            if not path.is_file():
                continue
            try:
                t = read_transcript(path)
            except TranscriptError:
                continue
            out.append(
                SessionInfo(
                    session_id=t.session_id,
                    persona=t.persona,
                    started_at=t.started_at,
                    questions=sum(x.kind is TurnKind.QUESTION for x in t.turns),
                    answers=sum(x.kind is TurnKind.ANSWER for x in t.turns),
                    finished=any(x.kind is TurnKind.CLOSING for x in t.turns),
                    path=path,
                )
            )
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(out, key=lambda s: s.started_at or epoch, reverse=True)


def repair_torn_tail(path: Path) -> bool:
    """Cut an incomplete last line (a write interrupted by a crash) so appends start cleanly.

    Returns whether anything was cut. The complete lines before it are never touched.
    """
    if not path.is_file():
        return False
    with path.open("rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return False
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return False
        f.seek(0)
        keep = f.read().rfind(b"\n") + 1
        f.truncate(keep)
        f.flush()
        os.fsync(f.fileno())
    return True
