"""Read interview transcripts from files.

The project's own format (see `schema.Transcript`, version 1) comes in two shapes:

* JSON: one object `{"format": "interviewer-transcript", "version": 1, "session_id": ...,
  "persona": ..., "turns": [...]}`;
* JSONL: a header line `{"type": "header", "format": ..., "version": 1, "session_id": ...,
  "persona": ...}` then one line per turn `{"type": "turn", "index": 0, "role": ...,
  "kind": ..., "text": ...}`. This is how live sessions are stored, one line appended per turn,
  so a file cut short by a crash still reads up to its last complete line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from interviewer.schema import TRANSCRIPT_FORMAT, Transcript, Turn

MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024


class TranscriptError(ValueError):
    """A transcript file cannot be read; the message names the file and the problem."""


def _problem(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()
    )


def parse_jsonl(text: str, source: str) -> Transcript:
    """A transcript from JSONL text; a torn last line (a crash mid-write) is ignored."""
    header: dict[str, Any] | None = None
    turns: list[Turn] = []
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if n == len(lines):
                break  # the last line was being written when the process died
            raise TranscriptError(f"{source}: line {n} is not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise TranscriptError(f"{source}: line {n} is not a JSON object")
        kind = record.pop("type", "turn")
        if kind == "header":
            header = record
        elif kind == "turn":
            try:
                turns.append(Turn.model_validate(record))
            except ValidationError as exc:
                raise TranscriptError(f"{source}: line {n}: {_problem(exc)}") from exc
    if header is None:
        raise TranscriptError(f"{source}: no header line (type 'header') found")
    try:
        return Transcript.model_validate({**header, "turns": [t.model_dump() for t in turns]})
    except ValidationError as exc:
        raise TranscriptError(f"{source}: {_problem(exc)}") from exc


def parse_json(text: str, source: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict) or data.get("format") != TRANSCRIPT_FORMAT:
        raise TranscriptError(
            f'{source}: not an interviewer transcript (expected "format": "{TRANSCRIPT_FORMAT}")'
        )
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        raise TranscriptError(f"{source}: {_problem(exc)}") from exc


def read_transcript(path: Path) -> Transcript:
    """Read a transcript in the project's JSON or JSONL format."""
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file")
    if path.stat().st_size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(f"{path}: larger than 20 MB; is this really a transcript?")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{path}: not UTF-8 text") from exc
    if not text.strip():
        raise TranscriptError(f"{path}: the file is empty")
    first = text.lstrip().split("\n", 1)[0]
    if path.suffix == ".jsonl" or ('"type"' in first and first.rstrip().endswith("}")):
        transcript = parse_jsonl(text, str(path))
    else:
        transcript = parse_json(text, str(path))
    return transcript.model_copy(update={"source": transcript.source or str(path)})
