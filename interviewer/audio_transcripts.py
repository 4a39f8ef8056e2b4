"""A folder of recorded answers as a transcript: one audio file per answer, plus a sidecar.

    answers/
      questions.txt     one question per line, in order (or questions.json: a list of strings,
                        or of {"question": ..., "question_id": ...})
      01.wav 02.m4a ... one answer per question, in sorted file-name order

Each answer is transcribed with the speech-to-text model, so its word timings feed the delivery
analysis exactly as in a live spoken interview.
"""

from __future__ import annotations

import json
from pathlib import Path

from interviewer.config import Settings
from interviewer.schema import Answer, Role, Transcript, Turn, TurnKind
from interviewer.transcripts import ReadResult, TranscriptError

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac", ".opus"}


def _questions(folder: Path) -> list[tuple[str, str | None]]:
    txt, js = folder / "questions.txt", folder / "questions.json"
    if js.is_file():
        try:
            data = json.loads(js.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TranscriptError(f"{js}: not valid JSON ({exc})") from exc
        if not isinstance(data, list):
            raise TranscriptError(f"{js}: expected a list of questions")
        out: list[tuple[str, str | None]] = []
        for item in data:
            if isinstance(item, str):
                out.append((item, None))
            elif isinstance(item, dict) and isinstance(item.get("question"), str):
                qid = item.get("question_id")
                out.append((item["question"], qid if isinstance(qid, str) else None))
            else:
                raise TranscriptError(f"{js}: each entry must be a string or have 'question'")
        return out
    if txt.is_file():
        return [
            (ln.strip(), None) for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip()
        ]
    raise TranscriptError(
        f"{folder}: audio answers need a sidecar naming the questions "
        "(questions.txt, one per line, or questions.json)"
    )


def read_audio_dir(folder: Path, settings: Settings, persona: str) -> ReadResult:
    """Transcribe each answer file and pair it with its question."""
    from interviewer.speech.stt import get_stt

    questions = _questions(folder)
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() in AUDIO_SUFFIXES)
    if len(files) != len(questions):
        raise TranscriptError(
            f"{folder}: {len(questions)} question(s) but {len(files)} audio file(s); "
            "give one answer file per question"
        )
    stt = get_stt(settings)
    turns: list[Turn] = []
    warnings: list[str] = []
    for (question, qid), audio in zip(questions, files, strict=True):
        turns.append(
            Turn(
                index=len(turns),
                role=Role.INTERVIEWER,
                kind=TurnKind.QUESTION,
                text=question,
                question_id=qid,
            )
        )
        result = stt.transcribe(audio)
        if result.no_speech:
            warnings.append(f"no speech detected in {audio.name}")
        answer = Answer(text=result.text, words=result.words or None, duration=result.duration)
        turns.append(
            Turn(
                index=len(turns),
                role=Role.CANDIDATE,
                kind=TurnKind.ANSWER,
                text=answer.text,
                question_id=qid,
                words=answer.words,
                duration=answer.duration,
                audio_path=str(audio),
            )
        )
    transcript = Transcript(
        session_id=folder.name, persona=persona, turns=turns, source=str(folder)
    )
    return ReadResult(
        transcript, "audio", how="recorded answers with a question sidecar", warnings=warnings
    )
