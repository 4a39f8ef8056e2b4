"""`interviewer analyze`: score JSON-lines records of question + answer, one result per line.

Used by evaluation scripts and other tools. The analyzer (and its model) is built once and
reused for every record, so thousands of records run in one process.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from pydantic import ValidationError

from interviewer import runtime
from interviewer.analysis import Target, target_for, target_from_points, target_from_reference
from interviewer.config import Settings
from interviewer.personas import PersonaError
from interviewer.schema import Answer, TalkingPoint


class RecordError(ValueError):
    """A record is malformed; the message says which field."""


def _target(record: dict[str, Any], settings: Settings) -> Target:
    question = record.get("question")
    qid = record.get("question_id")
    bank = runtime.pack(settings).questions.get(qid) if isinstance(qid, str) else None
    if not isinstance(question, str):
        if bank is None:
            raise RecordError(
                "'question' (a string) is required unless 'question_id' is in the bank"
            )
        question = bank.text
    points = record.get("talking_points")
    if points:
        if not isinstance(points, list):
            raise RecordError("'talking_points' must be a list")
        if all(isinstance(p, str) for p in points):
            return target_from_points(question, points, qid)
        try:
            tps = tuple(TalkingPoint.model_validate(p) for p in points)
        except ValidationError as exc:
            raise RecordError(f"talking_points: {exc.errors()[0]['msg']}") from exc
        return Target(qid, question, (tps,))
    reference = record.get("reference_answer", record.get("reference_answers"))
    if reference:
        refs = [reference] if isinstance(reference, str) else reference
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise RecordError("'reference_answer' must be a string or a list of strings")
        return target_from_reference(question, refs, qid)
    if bank is not None:
        return target_for(bank)
    return Target(qid, question, ())


def analyze_records(
    lines: Iterable[str], settings: Settings, default_persona: str
) -> Iterable[dict[str, Any]]:
    """Yield one result dict per non-empty input line."""
    analyzer = runtime.analyzer(settings)
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        out: dict[str, Any] = {"index": index, "id": None, "error": None}
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise RecordError("each line must be a JSON object")
            out["id"] = record.get("id")
            answer = record.get("answer")
            if not isinstance(answer, str):
                raise RecordError("'answer' (a string) is required")
            persona = runtime.persona(settings, str(record.get("persona") or default_persona))
            analysis = analyzer.analyze(Answer(text=answer), _target(record, settings), persona)
            out.update(analysis.model_dump(mode="json"))
        except json.JSONDecodeError as exc:
            out["error"] = f"not valid JSON: {exc.msg}"
        except (RecordError, PersonaError) as exc:
            out["error"] = str(exc)
        yield out


def analyze_stream(reader: IO[str], writer: IO[str], settings: Settings, persona: str) -> int:
    """Analyse every line of `reader` into `writer`; returns how many records failed."""
    failed = 0
    for result in analyze_records(reader, settings, persona):
        failed += result["error"] is not None
        writer.write(json.dumps(result, ensure_ascii=False) + "\n")
        writer.flush()
    return failed
