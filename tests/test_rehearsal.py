"""The spoken rehearsal: the loop with a real session, real Whisper and real TTS, and the
`transcribe` and `voice` commands as a user runs them on a machine without a sound card.

Answers are espeak-ng recordings in a folder, replayed one per turn as `--answers DIR` does.
"""

from __future__ import annotations

import json
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from interviewer import rehearsal
from interviewer.config import Settings
from interviewer.rehearsal import (
    AudioDevices,
    FileAnswers,
    MicrophoneAnswers,
    VoiceRehearsal,
    transcribe,
    voice,
)
from interviewer.schema import Role, SessionConfig, TurnKind
from interviewer.session import InterviewSession
from interviewer.speech.audio import write_wav
from interviewer.speech.stt import Transcription, get_stt
from interviewer.speech.tts import TextToSpeech
from tests.speech.conftest import ESPEAK, NO_ESPEAK, speak_to

needs_espeak = pytest.mark.skipif(ESPEAK is None, reason=NO_ESPEAK)

ANSWER_1 = (
    "I would start with a simple baseline, like logistic regression, and measure precision "
    "and recall on a held out validation set. Then I would try gradient boosting and compare."
)
ANSWER_2 = (
    "For example, in a fraud project recall went from sixty to eighty percent after we fixed "
    "the class imbalance with class weights, and we monitored drift every week."
)


@pytest.fixture(scope="module")
def answers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Recorded answers for one rehearsal: silence, a text file posing as audio, then speech."""
    if ESPEAK is None:
        pytest.skip(NO_ESPEAK)
    folder = tmp_path_factory.mktemp("answers")
    write_wav(folder / "01-silence.wav", np.zeros(3 * 16000, np.float32))
    (folder / "02-notes.wav").write_text("I forgot to record this one.\n", encoding="utf-8")
    speak_to(ANSWER_1, folder / "03-answer.wav", rate=160)
    speak_to(ANSWER_2, folder / "04-answer.wav", rate=170)
    (folder / "readme.txt").write_text("not an answer", encoding="utf-8")  # ignored
    return folder


class Recorder:
    """A RehearsalListener that keeps what happened."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def spoke(self, turn, audio, session) -> None:  # type: ignore[no-untyped-def]
        self.events.append(("spoke", turn.kind.value))

    def asked_again(self, text, audio, session) -> None:  # type: ignore[no-untyped-def]
        self.events.append(("asked_again", text))

    def heard(self, source: Path, result: Transcription) -> None:
        self.events.append(("heard", source.name))

    def not_heard(self, source: Path, reason: str, asking_again: bool) -> None:
        self.events.append(("not_heard", f"{source.name}:{asking_again}"))

    def notice(self, message: str) -> None:
        self.events.append(("notice", message))


@pytest.fixture()
def no_sound_card(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behave as on a server: no player, no microphone (whatever this machine has)."""
    monkeypatch.setattr(rehearsal, "detect_devices", AudioDevices)


@pytest.fixture()
def voice_settings(pack_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The pack index built once per run, with this test's own sessions and audio cache."""
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(pack_settings.index_dir, data / "index")
    yield pack_settings.model_copy(update={"data_dir": data})


# --- pieces -------------------------------------------------------------------------------------


def test_file_answers_are_taken_in_name_order(tmp_path: Path) -> None:
    for name in ("b.webm", "a.wav", "c.m4a", "notes.txt", "10.mp3", "2.ogg"):
        (tmp_path / name).write_bytes(b"x")
    source = FileAnswers(tmp_path)
    taken = [source.next_answer(1) for _ in range(6)]
    assert [p.name if isinstance(p, Path) else p for p in taken] == [
        "10.mp3",
        "2.ogg",
        "a.wav",
        "b.webm",
        "c.m4a",
        None,
    ]


def test_sound_card_detection_reads_alsa(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.write_text("--- no soundcards ---\n", encoding="utf-8")
    assert not rehearsal._alsa_cards(cards)
    cards.write_text(" 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n", encoding="utf-8")
    assert rehearsal._alsa_cards(cards)
    assert not rehearsal._alsa_cards(tmp_path / "missing")
    (tmp_path / "snd").mkdir()
    (tmp_path / "snd" / "pcmC0D0p").write_bytes(b"")
    assert not rehearsal._alsa_capture(tmp_path / "snd")
    (tmp_path / "snd" / "pcmC0D0c").write_bytes(b"")
    assert rehearsal._alsa_capture(tmp_path / "snd")
    assert isinstance(rehearsal.detect_devices(), AudioDevices)


FAKE_ARECORD = """
import signal, sys, time, wave
with wave.open(sys.argv[-1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(b"\\0\\0" * 16000)
signal.signal(signal.SIGINT, lambda *a: sys.exit(0))
time.sleep(30)
"""


def test_microphone_answers_start_and_stop_on_enter(tmp_path: Path) -> None:
    """The recorder is started, then stopped with SIGINT (arecord's way to finish the file)."""
    script = tmp_path / "fake_arecord.py"
    script.write_text(FAKE_ARECORD, encoding="utf-8")
    typed = iter(["", "", "/skip", "/end"])
    expected = tmp_path / "rec" / "answer-01-01.wav"

    def ask(prompt: str) -> str:
        if prompt.startswith("Recording"):  # the candidate speaks for a moment
            deadline = time.monotonic() + 10
            while not expected.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return next(typed)

    mic = MicrophoneAnswers((sys.executable, str(script)), tmp_path / "rec", 300, ask=ask)
    path = mic.next_answer(1)
    assert isinstance(path, Path) and path.name == "answer-01-01.wav"
    with wave.open(str(path)) as w:
        assert w.getnframes() == 16000
    assert mic.next_answer(1) == "skip" and mic.next_answer(1) == "end"


# --- the loop -----------------------------------------------------------------------------------


@needs_espeak
@pytest.mark.slow
def test_rehearsal_loop_asks_again_then_submits_timed_answers(
    voice_settings: Settings, answers_dir: Path, tmp_path: Path
) -> None:
    session = InterviewSession.create(
        voice_settings, "ml_expert", SessionConfig(questions=3, seed=3, mode="spoken")
    )
    listener = Recorder()
    played: list[Path] = []
    tts = TextToSpeech(voice_settings)
    loop = VoiceRehearsal(
        session,
        get_stt(voice_settings),
        tts,
        FileAnswers(answers_dir),
        tmp_path / "audio",
        listener,
        play=played.append,
    )
    try:
        result = loop.run()
    finally:
        tts.close()

    # 01 is silence: asked again. 02 is not audio: the second miss in a row goes to the
    # session as an empty answer. 03 and 04 are heard and submitted with their word timings.
    assert result.asked_again == 1
    assert [e for e in listener.events if e[0] in ("not_heard", "heard")] == [
        ("not_heard", "01-silence.wav:True"),
        ("not_heard", "02-notes.wav:False"),
        ("heard", "03-answer.wav"),
        ("heard", "04-answer.wav"),
    ]
    assert result.out_of_answers and session.finished  # four files for three questions
    answers = [
        t
        for t in session.transcript.turns
        if t.role is Role.CANDIDATE and t.kind is TurnKind.ANSWER
    ]
    assert [bool(t.words) for t in answers] == [False, True, True]
    assert answers[0].text == ""
    assert "gradient boosting" in answers[1].text.lower()
    assert answers[1].duration and answers[1].words and answers[1].words[0].word == "I"

    # Every interviewer turn was spoken into its own WAV and "played".
    interviewer_turns = [t for t in session.transcript.turns if t.role is Role.INTERVIEWER]
    assert len(result.spoken) == len(interviewer_turns) + result.asked_again
    assert played == result.spoken and all(p.stat().st_size > 1000 for p in played)

    report, _ = session.report(write=False)
    delivery = [s for q in report.questions for s in q.delivery]
    assert len(delivery) == 2 and all(s.value is not None for s in delivery)


# --- the commands -------------------------------------------------------------------------------


@needs_espeak
@pytest.mark.slow
def test_transcribe_command_reports_each_file(answers_dir: Path, tmp_path: Path) -> None:
    files = [
        answers_dir / "03-answer.wav",
        answers_dir / "01-silence.wav",
        answers_dir / "02-notes.wav",
        tmp_path / "missing.wav",
        answers_dir / "04-answer.wav",
    ]
    settings = Settings(data_dir=tmp_path)
    result = CliRunner().invoke(transcribe, [str(f) for f in files], obj=settings)
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())  # undo the terminal's line wrapping
    assert "03-answer.wav" in out and "gradient boosting" in out.lower()
    assert "words per minute" in out
    assert "01-silence.wav (3 seconds): no speech found" in out
    assert "02-notes.wav is a text file, not audio" in out
    assert "missing.wav: no such file" in out
    assert "fraud" in out.lower()  # the file after the bad ones was still transcribed
    assert "2 of 5 file(s) could not be transcribed" in out

    result = CliRunner().invoke(transcribe, ["--json", *(str(f) for f in files[:3])], obj=settings)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["error"] is None for r in records] == [True, True, False]
    good, silent, bad = records
    assert good["words"][0].keys() == {"word", "start", "end", "probability"}
    assert all(w["word"] == w["word"].strip() for w in good["words"])
    m = good["delivery"]["measurements"]
    assert good["delivery"]["status"] == "scored" and 130 < m["words_per_minute"] < 220
    assert m["fillers_per_100_words_lower_bound"] == 0.0
    assert silent["no_speech"] and silent["words"] == [] and silent["text"] == ""
    assert silent["delivery"]["status"] == "insufficient"
    assert "text file" in bad["error"]


@needs_espeak
@pytest.mark.slow
def test_voice_command_replays_answers_to_the_report(
    voice_settings: Settings, answers_dir: Path, tmp_path: Path, no_sound_card: None
) -> None:
    out_dir = tmp_path / "voice-out"
    args = ["-p", "recruiter", "-n", "1", "--seed", "7", "--answers", str(answers_dir)]
    result = CliRunner().invoke(voice, [*args, "--out", str(out_dir)], obj=voice_settings)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "No sound device: the interviewer's lines are written as WAV files." in out
    assert "Question 1 of 1" in out and "Jordan Reyes:" in out
    assert f"(audio: {out_dir / '000-greeting.wav'})" in out
    assert "01-silence.wav: no speech in the recording" in out and "(asking again)" in out
    assert "You (03-answer.wav" in out
    assert "Overall:" in out and "Delivery (per spoken answer" in out and "wpm" in out
    report_md = next(Path(p) for p in out.split() if p.endswith("report.md"))
    assert report_md.is_file() and "Delivery" in report_md.read_text(encoding="utf-8")
    wavs = sorted(p.name for p in out_dir.glob("*.wav"))
    assert wavs[0] == "000-greeting.wav" and any("closing" in w for w in wavs)


def test_voice_without_microphone_or_answers_says_what_to_do(
    tmp_path: Path, no_sound_card: None
) -> None:
    result = CliRunner().invoke(voice, ["-p", "recruiter"], obj=Settings(data_dir=tmp_path))
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "no microphone found" in out and "--answers DIR" in out
    assert not (tmp_path / "sessions").exists()  # nothing was started


def test_voice_with_an_empty_answers_folder(tmp_path: Path, no_sound_card: None) -> None:
    empty = tmp_path / "none"
    empty.mkdir()
    result = CliRunner().invoke(
        voice, ["--answers", str(empty)], obj=Settings(data_dir=tmp_path / "d")
    )
    assert result.exit_code == 2 and "no recordings in" in result.output
