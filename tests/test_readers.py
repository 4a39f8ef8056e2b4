"""The transcript readers on the formats people have: detection, speakers, roles, bank matching.

The small files in tests/fixtures/transcripts/ were written for these tests (an ML-engineer
interview in each format). The real transcripts in ../shared/data are only read when present.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer import runtime
from interviewer.batch import match_questions
from interviewer.config import Settings
from interviewer.report import build_report
from interviewer.schema import Role, Transcript, Turn, TurnKind
from interviewer.transcripts import (
    FORMATS,
    TranscriptError,
    assign_roles,
    detect_format,
    parse_cues,
    parse_json,
    parse_jsonl,
    parse_labelled,
    parse_unlabelled,
    read_any,
    segments_to_transcript,
)
from tests.paths import FIXTURES

TRANSCRIPTS = FIXTURES / "transcripts"
NOT_IN_BANK = "not in the question bank"

# file -> (format detected, speakers in order, candidate(s))
EXPECTED = {
    "labelled_interview.txt": ("labelled", ["Interviewer", "Candidate"], ["Candidate"]),
    "otter_interview.txt": ("labelled", ["Priya Natarajan", "Tom Becker"], ["Tom Becker"]),
    "markdown_bold_interview.md": ("labelled", ["Dana Whitfield", "Sam Okafor"], ["Sam Okafor"]),
    "webvtt_interview.vtt": ("vtt", ["Maria Lopez", "Chen Wei"], ["Chen Wei"]),
    "srt_no_speakers.srt": ("srt", [], []),
    "unlabelled_interview.txt": ("unlabelled", [], []),
    "project_transcript.json": ("json", [], []),
    "project_transcript.jsonl": ("jsonl", [], []),
}


def questions(t: Transcript) -> list[Turn]:
    return [turn for turn in t.turns if turn.kind is TurnKind.QUESTION]


def test_every_fixture_is_covered() -> None:
    assert sorted(p.name for p in TRANSCRIPTS.iterdir()) == sorted(EXPECTED)


# --- detection and speakers ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_speakers_and_candidate_are_found(name: str) -> None:
    fmt, speakers, candidate = EXPECTED[name]
    r = read_any(TRANSCRIPTS / name)
    assert r.format == fmt
    assert r.speakers == speakers
    assert r.candidate == candidate
    assert questions(r.transcript), "every fixture asks at least one question"
    answers = [t for t in r.transcript.turns if t.kind is TurnKind.ANSWER]
    assert answers and all(t.role is Role.CANDIDATE for t in answers)
    assert all(t.role is Role.INTERVIEWER for t in questions(r.transcript))
    assert [t.index for t in r.transcript.turns] == list(range(len(r.transcript.turns)))


@pytest.mark.parametrize(
    ("name", "confidence", "how"),
    [
        ("labelled_interview.txt", 1.0, "speaker labels"),
        ("markdown_bold_interview.md", 0.9, "the file names the interviewer"),
        ("otter_interview.txt", 1.0, "Priya Natarajan asks the most questions"),
        ("webvtt_interview.vtt", 1.0, "Maria Lopez asks the most questions"),
    ],
)
def test_labelled_files_say_how_the_candidate_was_identified(
    name: str, confidence: float, how: str
) -> None:
    r = read_any(TRANSCRIPTS / name)
    assert r.confidence == confidence and r.how == how
    assert r.warnings == []


def test_otter_blocks_join_their_lines_and_follow_ups_are_recognised() -> None:
    r = read_any(TRANSCRIPTS / "otter_interview.txt")
    kinds = [(t.role, t.kind) for t in r.transcript.turns]
    assert (Role.INTERVIEWER, TurnKind.FOLLOWUP) in kinds  # "And how did you know it worked?"
    drift = next(t for t in r.transcript.turns if "model drift" in t.text)
    assert drift.kind is TurnKind.QUESTION
    assert "  0:" not in " ".join(t.text for t in r.transcript.turns)  # no timestamps in text


def test_webvtt_voice_tags_and_markup_are_removed_from_the_text() -> None:
    r = read_any(TRANSCRIPTS / "webvtt_interview.vtt")
    text = " ".join(t.text for t in r.transcript.turns)
    assert "<v" not in text and "</v>" not in text and "-->" not in text


def test_markdown_bold_labels_and_timestamps_are_stripped() -> None:
    r = read_any(TRANSCRIPTS / "markdown_bold_interview.md")
    text = " ".join(t.text for t in r.transcript.turns)
    assert "**" not in text and "[00:" not in text
    assert "Mock interview" not in text  # the heading is not speech


def test_the_project_formats_keep_their_turns_and_question_ids() -> None:
    js = read_any(TRANSCRIPTS / "project_transcript.json")
    assert js.transcript.candidate == "Jordan" and len(js.transcript.turns) == 6
    assert questions(js.transcript)[0].question_id == "ml-logistic-regression-vs-deep-text"
    jl = read_any(TRANSCRIPTS / "project_transcript.jsonl")
    assert jl.transcript.session_id == "fixture-jsonl-01" and len(jl.transcript.turns) == 4


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detection_works_from_the_content_alone(name: str, tmp_path: Path) -> None:
    """A file saved with a generic .txt name is still recognised by what it holds."""
    copy = tmp_path / f"{Path(name).stem}.txt"
    shutil.copy(TRANSCRIPTS / name, copy)
    text = copy.read_text(encoding="utf-8")
    assert detect_format(copy, text) == EXPECTED[name][0]


# --- overriding with fmt ------------------------------------------------------------------------


def test_fmt_overrides_detection() -> None:
    labelled = TRANSCRIPTS / "labelled_interview.txt"
    r = read_any(labelled, fmt="unlabelled")
    assert r.format == "unlabelled" and r.speakers == [] and r.confidence < 0.5
    assert any(t.text.startswith("Interviewer:") for t in r.transcript.turns)  # taken literally
    r = read_any(TRANSCRIPTS / "webvtt_interview.vtt", fmt="srt")
    assert r.format == "srt" and r.speakers == ["Maria Lopez", "Chen Wei"]


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("markdown_bold_interview.md", "json", "not valid JSON"),
        ("markdown_bold_interview.md", "jsonl", "not valid JSON"),
        ("project_transcript.json", "vtt", "no speech found"),
        ("labelled_interview.txt", "yaml", "unknown format 'yaml'"),
    ],
)
def test_a_wrong_fmt_is_a_transcript_error(name: str, fmt: str, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        read_any(TRANSCRIPTS / name, fmt=fmt)


# --- being told who is who ----------------------------------------------------------------------


def test_candidate_name_overrides_the_guess_and_may_be_partial() -> None:
    otter = TRANSCRIPTS / "otter_interview.txt"
    r = read_any(otter, candidate="tom")
    assert r.candidate == ["Tom Becker"] and r.confidence == 1.0 and r.how == "told"
    swapped = read_any(otter, candidate="Priya Natarajan")
    assert swapped.candidate == ["Priya Natarajan"]
    first = swapped.transcript.turns[0]
    assert first.role is Role.CANDIDATE and "welcome" in first.text


def test_interviewer_name_makes_everyone_else_the_candidate() -> None:
    r = read_any(TRANSCRIPTS / "webvtt_interview.vtt", interviewer="Chen Wei")
    assert r.candidate == ["Maria Lopez"] and r.confidence == 1.0
    r = read_any(TRANSCRIPTS / "markdown_bold_interview.md", interviewer="Sam")
    assert r.candidate == ["Dana Whitfield"]


@pytest.mark.parametrize("option", ["candidate", "interviewer"])
def test_an_unknown_name_lists_the_speakers(option: str) -> None:
    with pytest.raises(TranscriptError, match=r"no speaker called 'Zed'.*Priya Natarajan"):
        read_any(TRANSCRIPTS / "otter_interview.txt", **{option: "Zed"})


def test_the_interviewer_named_in_the_header_is_believed_over_question_counts(
    tmp_path: Path,
) -> None:
    """Here the candidate asks more questions, but the header says who interviews."""
    f = tmp_path / "t.md"
    f.write_text(
        "Interviewer is Ana Ruiz.\n\n"
        "**Ana Ruiz:** Tell me about your last model.\n\n"
        "**Ben Cho:** Which one? The ranking one? Or the churn one?\n\n"
        "**Ana Ruiz:** The churn one, please.\n\n"
        "**Ben Cho:** It predicted churn from usage. Was that clear? Should I go deeper?\n",
        encoding="utf-8",
    )
    r = read_any(f)
    assert r.candidate == ["Ben Cho"] and r.confidence == 0.9


# --- no labels: the reader says it is unsure ----------------------------------------------------


@pytest.mark.parametrize("name", ["unlabelled_interview.txt", "srt_no_speakers.srt"])
def test_unlabelled_text_is_read_but_flagged_as_uncertain(name: str) -> None:
    r = read_any(TRANSCRIPTS / name)
    assert r.confidence < 0.5
    assert any("not sure who the candidate is" in w for w in r.warnings)
    qs = questions(r.transcript)
    assert len(qs) == 2 and all(q.text.rstrip().endswith("?") for q in qs)


def test_one_speaker_only_is_flagged_as_uncertain(tmp_path: Path) -> None:
    f = tmp_path / "mono.txt"
    f.write_text(
        "Kim Lee: I trained the model on last year's data.\n"
        "Kim Lee: Then I checked it on this year's.\n"
        "Kim Lee: The scores held up?\n",
        encoding="utf-8",
    )
    r = read_any(f, fmt="labelled")
    assert r.confidence < 0.5 and r.warnings


def test_told_roles_are_certain_even_when_labels_are_odd(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text(
        "Ana Ruiz: Good morning.\nBen Cho: Morning.\nAna Ruiz: Shall we begin.\n"
        "Ben Cho: Yes, I built a churn model last year.\n",
        encoding="utf-8",
    )
    guessed = read_any(f)
    assert guessed.confidence < 0.5  # nobody asks a question: no way to tell
    told = read_any(f, candidate="Ben Cho")
    assert told.confidence == 1.0
    assert not any("not sure" in w for w in told.warnings)


def test_a_recurring_one_word_reply_is_not_a_speaker(tmp_path: Path) -> None:
    f = tmp_path / "otter.txt"
    f.write_text(
        "Interviewer is Ana Ruiz.\n\n"
        "Ana Ruiz  0:00\nDid you ship the model?\n\n"
        "Ben Cho  0:05\nYes.\nIt went live in March, after a shadow run.\n\n"
        "Ana Ruiz  0:10\nWas it on time?\n\n"
        "Ben Cho  0:14\nYes.\nTwo days early, because we cut the feature store.\n",
        encoding="utf-8",
    )
    r = read_any(f)
    assert r.speakers == ["Ana Ruiz", "Ben Cho"] and r.candidate == ["Ben Cho"]


def test_a_candidate_name_on_unlabelled_text_is_not_silently_ignored() -> None:
    with pytest.raises(TranscriptError, match="no speaker"):
        read_any(TRANSCRIPTS / "unlabelled_interview.txt", candidate="Sam")


# --- matching asked questions to the bank -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("labelled_interview.txt", {"ml-data-leakage-prevention"}),
        ("otter_interview.txt", {"comm-explain-drift-backend"}),
        (
            "markdown_bold_interview.md",
            {"ml-l1-vs-l2-regularization", "ml-random-forest-vs-gradient-boosting"},
        ),
        (
            "webvtt_interview.vtt",
            {"ml-choosing-evaluation-metrics", "ml-cross-validation-schemes"},
        ),
        ("srt_no_speakers.srt", {"ml-supervised-vs-unsupervised", "ml-fine-tuning-llms"}),
        (
            "unlabelled_interview.txt",
            {"ml-bias-variance-for-engineers", "ml-suspiciously-high-accuracy"},
        ),
        ("project_transcript.jsonl", {"ml-transformer-for-backend-engineer"}),
    ],
)
def test_close_questions_are_matched_to_the_bank(
    name: str, expected: set[str], settings: Settings
) -> None:
    r = read_any(TRANSCRIPTS / name)
    matched, count = match_questions(r.transcript, settings)
    ids = {q.question_id for q in questions(matched)}
    assert expected <= ids
    assert count == sum(q.question_id is not None for q in questions(matched))


def test_unrelated_questions_stay_unmatched(settings: Settings) -> None:
    r = read_any(TRANSCRIPTS / "labelled_interview.txt")
    matched, _ = match_questions(r.transcript, settings)
    talk = next(q for q in questions(matched) if "conference talk" in q.text)
    assert talk.question_id is None
    r = read_any(TRANSCRIPTS / "otter_interview.txt")
    matched, _ = match_questions(r.transcript, settings)
    intro = next(q for q in questions(matched) if "introduce yourself" in q.text)
    assert intro.question_id is None


def test_question_ids_already_in_the_file_are_kept(settings: Settings) -> None:
    r = read_any(TRANSCRIPTS / "project_transcript.json")
    matched, count = match_questions(r.transcript, settings)
    assert matched == r.transcript and count == 2


def _bank_transcript(settings: Settings, ids: list[str]) -> Transcript:
    pack = runtime.pack(settings)
    turns: list[Turn] = []
    for qid in ids:
        turns.append(
            Turn(index=len(turns), role=Role.INTERVIEWER, kind=TurnKind.QUESTION,
                 text=pack.questions[qid].text)
        )  # fmt: skip
        turns.append(
            Turn(index=len(turns), role=Role.CANDIDATE, kind=TurnKind.ANSWER, text="An answer.")
        )
    return Transcript(session_id="bank", persona="ml_expert", turns=turns)


def test_single_sentence_bank_questions_asked_verbatim_match_themselves(
    settings: Settings,
) -> None:
    ids = ["ml-data-leakage-prevention", "comm-explain-drift-backend", "ml-fine-tuning-llms"]
    matched, count = match_questions(_bank_transcript(settings, ids), settings)
    assert [q.question_id for q in questions(matched)] == ids and count == 3


def test_multi_sentence_bank_questions_asked_verbatim_match_themselves(
    settings: Settings,
) -> None:
    ids = ["ml-severe-class-imbalance", "beh-production-failure", "ml-diagnose-fix-overfitting"]
    matched, _ = match_questions(_bank_transcript(settings, ids), settings)
    assert [q.question_id for q in questions(matched)] == ids


def _report_notes(name: str, settings: Settings) -> tuple[list[str], int]:
    r = read_any(TRANSCRIPTS / name)
    transcript, _ = match_questions(r.transcript, settings)
    report = build_report(
        transcript,
        runtime.pack(settings),
        runtime.persona(settings, "ml_expert"),
        runtime.analyzer(settings),
    )
    return report.notes, len(report.questions)


def test_the_report_says_when_questions_are_not_in_the_bank(settings: Settings) -> None:
    notes, _ = _report_notes("labelled_interview.txt", settings)  # asks about a conference talk
    assert any(NOT_IN_BANK in n for n in notes)
    notes, count = _report_notes("unlabelled_interview.txt", settings)  # both are bank questions
    assert count == 2 and not any(NOT_IN_BANK in n for n in notes)


def test_small_talk_before_the_first_question_is_not_a_question(settings: Settings) -> None:
    notes, count = _report_notes("webvtt_interview.vtt", settings)
    assert count == 2
    assert not any(NOT_IN_BANK in n for n in notes)


# --- never crash ------------------------------------------------------------------------------

# Text built from the pieces the parsers look for, so the generated files get deep into them.
PIECES = [
    *'abAB :\n\r\t?*_[]<>{}",.0123456789-é\x00',
    "WEBVTT\n",
    " --> ",
    "00:01",
    "00:00:01,000",
    "**",
    "<v Ann>",
    "</v>",
    '{"type": "header", ',
    '"format": "interviewer-transcript", ',
    '"turns": [',
    "Interviewer: ",
    "Candidate: ",
    "Ann Lee  0:12\n",
    "Interviewer is Ann.",
    "\n\n",
    "1\n",
    "[00:00:05] ",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=60).map("".join) | st.text(max_size=400)
CONTENT = st.binary(max_size=600) | TEXTS.map(lambda s: s.encode("utf-8", "surrogatepass"))
SUFFIXES = st.sampled_from(["", ".txt", ".md", ".json", ".jsonl", ".vtt", ".srt", ".png"])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(
    data=CONTENT,
    suffix=SUFFIXES,
    fmt=st.sampled_from([*FORMATS, "bogus"]),
    who=st.sampled_from([None, "Ann", "Interviewer"]),
)
def test_read_any_returns_or_raises_transcript_error(
    data: bytes, suffix: str, fmt: str, who: str | None
) -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / f"fuzz{suffix}"
        f.write_bytes(data)
        try:
            r = read_any(f, fmt, candidate=who)
        except TranscriptError:
            return
        assert r.format in FORMATS and 0.0 <= r.confidence <= 1.0


PARSERS: dict[str, Callable[[str], Any]] = {
    "detect_format": lambda s: detect_format(Path("fuzz.txt"), s),
    "parse_cues": parse_cues,
    "parse_labelled": parse_labelled,
    "parse_unlabelled": parse_unlabelled,
    "parse_json": lambda s: parse_json(s, "fuzz"),
    "parse_jsonl": lambda s: parse_jsonl(s, "fuzz"),
}


@FUZZ
@given(text=TEXTS, parser=st.sampled_from(sorted(PARSERS)))
def test_parsers_return_or_raise_transcript_error(text: str, parser: str) -> None:
    try:
        out = PARSERS[parser](text)
    except TranscriptError:
        return
    if isinstance(out, list) and out:  # segments: the rest of the pipeline must cope too
        roles, confidence, _ = assign_roles(out, text, None, None)
        assert 0.0 <= confidence <= 1.0
        segments_to_transcript(out, roles, "fuzz", "ml_expert")


@pytest.mark.parametrize(
    ("name", "content"),
    [("deep.json", "[" * 100_000), ("deep.jsonl", '{"type": "header", "x": ' + "[" * 100_000)],
)
def test_deeply_nested_json_is_a_transcript_error(name: str, content: str, tmp_path: Path) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError):
        read_any(f)


# --- the real files, when present ---------------------------------------------------------------


@pytest.mark.data
def test_every_real_transcript_reads(shared_data: Path) -> None:
    """Each real file reads with its speakers (hitsave) or as unlabelled (talkpython)."""
    hitsave = sorted((shared_data / "transcripts-hitsave").rglob("transcripts/**/*.md"))
    talk = sorted((shared_data / "transcripts-talkpython").rglob("transcripts/*.txt"))
    if not hitsave or not talk:
        pytest.skip(f"real transcripts not found under {shared_data}/transcripts-*")
    for f in hitsave:
        r = read_any(f)
        assert r.format in ("labelled", "vtt"), f
        assert questions(r.transcript), f
        if r.format == "labelled":
            assert len(r.speakers) >= 2 and r.candidate, f
            assert "Jonas Rosland" not in r.candidate, f  # the header names him interviewer
    for f in talk:
        r = read_any(f)
        assert r.format == "unlabelled" and r.confidence < 0.5, f
        assert any("not sure" in w for w in r.warnings), f
