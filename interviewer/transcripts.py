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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from wordfreq import zipf_frequency

from interviewer.schema import TRANSCRIPT_FORMAT, Role, Transcript, Turn, TurnKind

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
        except RecursionError as exc:
            raise TranscriptError(f"{source}: line {n} is nested too deeply") from exc
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
    except RecursionError as exc:
        raise TranscriptError(f"{source}: JSON nested too deeply to be a transcript") from exc
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


# --- the formats people have ------------------------------------------------------------------

FORMATS = ("auto", "json", "jsonl", "vtt", "srt", "labelled", "unlabelled")
_TIMING = re.compile(
    r"^\s*(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>|$)", re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# "Jane Doe  0:12" (otter.ai): a name, two or more spaces, a timestamp, nothing else.
_OTTER = re.compile(
    r"^(?P<name>[^\W\d][\w.'&() -]{0,48}?)\s{2,}(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)\s*$"
)
# "Jane: text", "**Jane Doe:** [00:01:02] text", "INTERVIEWER: text".
_COLON = re.compile(
    r"^\s*(?:\*\*|__)?(?P<name>[^\W\d][\w.'&() -]{0,40}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?"
    r"\s*(?:\[(?P<ts>[\d:.]+)\])?\s*(?P<text>.*)$"
)
_BARE_NAME = re.compile(r"^(?P<name>[A-Z][\w.'&-]*(?: [A-Z][\w.'&-]*){0,3})\s*$")
_LEADING_TS = re.compile(r"^\s*\[?(?P<ts>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d+)?)\]?\s+")
_INTERVIEWER_HINT = re.compile(
    r"interviewers? (?:is|are|was|were|:)\s*(?P<names>[^.\n]+)", re.IGNORECASE
)
_ROLE_WORDS = {
    "interviewer": Role.INTERVIEWER,
    "host": Role.INTERVIEWER,
    "q": Role.INTERVIEWER,
    "question": Role.INTERVIEWER,
    "recruiter": Role.INTERVIEWER,
    "candidate": Role.CANDIDATE,
    "interviewee": Role.CANDIDATE,
    "guest": Role.CANDIDATE,
    "a": Role.CANDIDATE,
    "answer": Role.CANDIDATE,
    "me": Role.CANDIDATE,
}
# Words that can precede a colon without being a speaker ("Note: ...", "Example: ...").
_NOT_NAMES = frozenset(
    "note example examples tip tips update edit source link http https details summary step"
    " question answer warning see also".split()
)


@dataclass
class Segment:
    """A stretch of speech: who said it (when known), the words, and when."""

    speaker: str | None
    text: str
    start: float | None = None


@dataclass
class ReadResult:
    """A transcript read from a file, with how it was read and anything doubtful about it."""

    transcript: Transcript
    format: str
    speakers: list[str] = field(default_factory=list)
    candidate: list[str] = field(default_factory=list)
    confidence: float = 1.0  # how sure the reader is about who the candidate is
    how: str = ""
    warnings: list[str] = field(default_factory=list)


def _seconds(ts: str | None) -> float | None:
    if not ts:
        return None
    try:
        parts = [float(p.replace(",", ".")) for p in ts.split(":")]
    except ValueError:
        return None
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def parse_cues(text: str) -> list[Segment]:
    """WebVTT or SRT cues; speakers from <v Name> tags or a 'Name:' prefix when present."""
    segments: list[Segment] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        timing = next((i for i, ln in enumerate(lines) if _TIMING.match(ln)), None)
        if timing is None:
            continue
        start = _seconds(lines[timing].split("-->")[0].strip())
        body = " ".join(lines[timing + 1 :]).strip()
        if not body:
            continue
        voice = _VOICE.search(body)
        speaker = None
        if voice:
            speaker, body = voice.group(1).strip(), voice.group(2)
        body = _TAG.sub("", body).strip()
        if speaker is None:
            m = _COLON.match(body)
            if m and _plausible_name(m.group("name")) and m.group("text"):
                speaker, body = m.group("name").strip(), m.group("text").strip()
        if body:
            segments.append(Segment(speaker, body, start))
    return segments


def _plausible_name(name: str) -> bool:
    words = name.strip().split()
    if not words or len(words) > 4 or name.strip().lower() in _NOT_NAMES:
        return False
    if name.strip().lower() in _ROLE_WORDS:
        return True
    if len(words) == 1 and zipf_frequency(words[0].strip(".").lower(), "en") > 5.0:
        return False  # 'Yes', 'So', 'Okay': a sentence, not a speaker
    return all(w[:1].isupper() for w in words)


def parse_labelled(text: str) -> list[Segment]:
    """Speaker-labelled text: otter-style 'Name  0:12' blocks, 'Name: text' lines, or a name on
    its own line before its paragraph (when that name recurs)."""
    lines = text.replace("\r\n", "\n").split("\n")
    bare_counts: dict[str, int] = {}
    for ln in lines:
        m = _BARE_NAME.match(ln.strip()) if ln.strip() else None
        if (
            m
            and not ln.lstrip().startswith("#")
            and not ln.strip().endswith((".", "!", "?", ","))
            and _plausible_name(m.group("name"))
        ):
            bare_counts[m.group("name")] = bare_counts.get(m.group("name"), 0) + 1
    recurring = {n for n, c in bare_counts.items() if c >= 2}
    segments: list[Segment] = []
    current: Segment | None = None
    for raw in lines:
        line = raw.rstrip()
        stripped = line.strip()
        otter = _OTTER.match(stripped)
        colon = _COLON.match(stripped) if not otter else None
        if otter and _plausible_name(otter.group("name")):
            current = Segment(otter.group("name").strip(), "", _seconds(otter.group("ts")))
            segments.append(current)
            continue
        if (
            colon
            and _plausible_name(colon.group("name"))
            and (colon.group("text") or colon.group("ts"))
        ):
            current = Segment(
                colon.group("name").strip(),
                colon.group("text").strip(),
                _seconds(colon.group("ts")),
            )
            segments.append(current)
            continue
        if stripped in recurring:
            current = Segment(stripped, "", None)
            segments.append(current)
            continue
        if current is not None and stripped:
            current.text = f"{current.text} {stripped}".strip()
    return [s for s in segments if s.text]


def parse_unlabelled(text: str) -> list[Segment]:
    """Text with no speakers: one segment per line or paragraph, leading timestamps kept."""
    segments: list[Segment] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*\[?\d{1,2}:\d{2})", text.replace("\r\n", "\n")):
        line = " ".join(block.split())
        if not line or line.startswith("#"):
            continue
        m = _LEADING_TS.match(line)
        start = _seconds(m.group("ts")) if m else None
        body = line[m.end() :] if m else line
        if body:
            segments.append(Segment(None, body, start))
    return segments


def detect_format(path: Path, text: str) -> str:
    """The format of a transcript file, from its name and its content."""
    head = text.lstrip()[:2000]
    suffix = path.suffix.lower()
    if suffix == ".jsonl" or (head.startswith("{") and '"type"' in head.split("\n", 1)[0]):
        return "jsonl"
    if suffix == ".json" or head.startswith("{"):
        return "json"
    if head.startswith("WEBVTT") or suffix == ".vtt":
        return "vtt"
    cue_lines = sum(1 for ln in text.split("\n")[:400] if _TIMING.match(ln))
    if suffix == ".srt" or cue_lines >= 3:
        return "srt" if re.match(r"^\d+\s*$", head.split("\n", 1)[0]) else "vtt"
    labelled = parse_labelled(text)
    if len({s.speaker for s in labelled}) >= 2 and len(labelled) >= 3:
        return "labelled"
    return "unlabelled"


def _hinted_interviewers(text: str) -> set[str]:
    m = _INTERVIEWER_HINT.search(text[:3000])
    if not m:
        return set()
    names = re.split(r",|\band\b|&", m.group("names"))
    return {n.strip().strip("*").strip() for n in names if n.strip()}


def assign_roles(
    segments: list[Segment], text: str, candidate: str | None, interviewer: str | None
) -> tuple[dict[str | None, Role], float, str]:
    """Who is the interviewer and who the candidate; with a confidence and how it was decided."""
    speakers = list(dict.fromkeys(s.speaker for s in segments))
    named = [s for s in speakers if s is not None]
    if not named:
        if candidate or interviewer:
            raise TranscriptError(
                "no speaker labels in this file, so --candidate/--interviewer cannot be applied"
            )
        return (
            {None: Role.CANDIDATE},
            0.3,
            "no speaker labels: questions taken as the interviewer's",
        )
    lowered = {s.lower(): s for s in named}

    def pick(name: str) -> str | None:
        key = name.strip().lower()
        return lowered.get(key) or next((s for s in named if key in s.lower()), None)

    if candidate:
        who = pick(candidate)
        if who is None:
            raise TranscriptError(f"no speaker called {candidate!r}; speakers: {', '.join(named)}")
        return {s: Role.CANDIDATE if s == who else Role.INTERVIEWER for s in speakers}, 1.0, "told"
    if interviewer:
        who = pick(interviewer)
        if who is None:
            raise TranscriptError(
                f"no speaker called {interviewer!r}; speakers: {', '.join(named)}"
            )
        return {s: Role.INTERVIEWER if s == who else Role.CANDIDATE for s in speakers}, 1.0, "told"
    by_word = {s: _ROLE_WORDS.get(s.lower()) for s in named}
    if all(by_word.values()) and set(by_word.values()) == {Role.INTERVIEWER, Role.CANDIDATE}:
        labelled: dict[str | None, Role] = {s: by_word.get(s) or Role.CANDIDATE for s in named}
        return labelled, 1.0, "speaker labels"
    hinted = {pick(h) for h in _hinted_interviewers(text)} - {None}
    if hinted and len(hinted) < len(named):
        roles = {s: Role.INTERVIEWER if s in hinted else Role.CANDIDATE for s in speakers}
        return roles, 0.9, "the file names the interviewer"
    if len(named) == 1:
        return {named[0]: Role.CANDIDATE}, 0.2, "one speaker only"
    # The interviewer asks: the speaker whose turns most often hold a question.
    asks = {
        s: sum("?" in seg.text for seg in segments if seg.speaker == s)
        / max(1, sum(seg.speaker == s for seg in segments))
        for s in named
    }
    ranked = sorted(named, key=lambda s: -asks[s])
    margin = asks[ranked[0]] - asks[ranked[1]]
    roles = {s: Role.INTERVIEWER if s == ranked[0] else Role.CANDIDATE for s in speakers}
    return roles, round(min(1.0, margin * 2), 2), f"{ranked[0]} asks the most questions"


def segments_to_transcript(
    segments: list[Segment], roles: dict[str | None, Role], session_id: str, persona: str
) -> Transcript:
    """Turns from segments: consecutive speech by one side is one turn; interviewer turns
    holding a question start a new question; unlabelled text is split at its questions."""
    pieces: list[tuple[Role, str, float | None]] = []
    for seg in segments:
        if seg.speaker is None and len(roles) == 1 and None in roles:
            # No labels: a segment ending with a question is the interviewer's.
            role = Role.INTERVIEWER if seg.text.rstrip().endswith("?") else Role.CANDIDATE
        else:
            role = roles.get(seg.speaker, Role.CANDIDATE)
        if pieces and pieces[-1][0] is role:
            pieces[-1] = (role, f"{pieces[-1][1]} {seg.text}", pieces[-1][2])
        else:
            pieces.append((role, seg.text, seg.start))
    turns: list[Turn] = []
    seen_question = False
    for role, text, start in pieces:
        if role is Role.INTERVIEWER:
            if "?" in text:
                follow = _is_follow_up(text) and seen_question
                kind = TurnKind.FOLLOWUP if follow else TurnKind.QUESTION
                seen_question = True
            elif not turns:
                kind = TurnKind.GREETING
            elif not seen_question:
                # A prompt without a question mark (transcribers drop them): still a question.
                kind = TurnKind.QUESTION
                seen_question = True
            else:
                kind = TurnKind.FOLLOWUP
        else:
            kind = TurnKind.ANSWER
        turns.append(
            Turn(index=len(turns), role=role, kind=kind, text=text.strip(), duration=None, at=None)
        )
        del start
    return Transcript(session_id=session_id, persona=persona, turns=turns)


def _is_follow_up(text: str) -> bool:
    """A short interviewer turn that digs into the last answer rather than changing topic."""
    return len(text.split()) <= 8 and bool(
        re.match(r"^\W*(and|so|why|how so|really|what about)\b", text, re.I)
    )


def read_any(
    path: Path,
    fmt: str = "auto",
    candidate: str | None = None,
    interviewer: str | None = None,
    persona: str = "ml_expert",
) -> ReadResult:
    """Read a transcript in any supported format. Raises TranscriptError with the reason."""
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise TranscriptError(f"{path}: the file is empty")
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(f"{path}: {size // 2**20} MB is larger than the 20 MB limit")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise TranscriptError(f"{path}: a binary file, not a transcript")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise TranscriptError(f"{path}: the file holds only whitespace")
    if fmt not in FORMATS:
        raise TranscriptError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    chosen = detect_format(path, text) if fmt == "auto" else fmt
    if chosen == "json":
        t = parse_json(text, str(path))
        return ReadResult(t, "json", how="the project's transcript format")
    if chosen == "jsonl":
        t = parse_jsonl(text, str(path))
        return ReadResult(t, "jsonl", how="the project's transcript format")
    if chosen in ("vtt", "srt"):
        segments = parse_cues(text)
    elif chosen == "labelled":
        segments = parse_labelled(text)
    else:
        segments = parse_unlabelled(text)
    if not segments:
        raise TranscriptError(f"{path}: no speech found (read as {chosen})")
    roles, confidence, how = assign_roles(segments, text, candidate, interviewer)
    session_id = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:60] or "transcript"
    transcript = segments_to_transcript(segments, roles, session_id, persona)
    transcript = transcript.model_copy(update={"source": str(path)})
    warnings = []
    labelled = any(seg.speaker for seg in segments)
    if confidence < 0.5:
        hint = "pass --candidate NAME to say" if labelled else "the file has no speaker labels"
        warnings.append(
            f"not sure who the candidate is ({how}; confidence {confidence:.0%}); {hint}"
        )
    if not any(t.kind is TurnKind.QUESTION for t in transcript.turns):
        if fmt == "auto" and not labelled:
            # Nothing marks it as an interview: no speakers and no question (a CSV, notes...).
            raise TranscriptError(
                f"{path}: no interviewer question found (read as {chosen}); is this an interview "
                "transcript? Use --input-format or --interviewer NAME if it is"
            )
        warnings.append("no interviewer question found")
    speakers = [s for s in dict.fromkeys(seg.speaker for seg in segments) if s]
    return ReadResult(
        transcript,
        chosen,
        speakers=speakers,
        candidate=[s for s in speakers if roles.get(s) is Role.CANDIDATE],
        confidence=confidence,
        how=how,
        warnings=warnings,
    )
