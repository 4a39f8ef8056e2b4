"""Spoken rehearsal in the terminal: `interviewer transcribe` and `interviewer voice`.

The loop (`VoiceRehearsal`) takes its answers from an `AnswerSource` (a microphone, or a folder
of recordings replayed in order) and reports what happens to a `RehearsalListener`, so the loop
is tested with real speech models and files while the terminal and the sound card stay outside
it. Nothing heavy is imported at module level: the CLI imports this module on every start.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import click

from interviewer.config import Settings

if TYPE_CHECKING:
    from interviewer.schema import Report, Score, Turn
    from interviewer.session import InterviewSession
    from interviewer.speech.stt import SpeechToText, Transcription
    from interviewer.speech.tts import TextToSpeech

#: File types taken from an --answers folder (what browsers, phones and recorders produce).
AUDIO_SUFFIXES = frozenset(
    {".wav", ".webm", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".mp4", ".aac", ".flac"}
)
#: Said when a recording held no speech, if the persona has no retry line of its own.
ASK_AGAIN = "Sorry, I didn't catch that. Could you say it again?"

#: What an answer source gives for one turn: a recording, a command, or None when it has no more.
NextAnswer = Path | Literal["skip", "end"] | None


# --- sound devices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudioDevices:
    """Commands that play and record audio on this machine, if it has a sound device."""

    play: tuple[str, ...] | None = None  # the file path is appended
    record: tuple[str, ...] | None = None  # the file path is appended

    @property
    def can_play(self) -> bool:
        return self.play is not None

    @property
    def can_record(self) -> bool:
        return self.record is not None


def _alsa_cards(proc: Path = Path("/proc/asound/cards")) -> bool:
    try:
        text = proc.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.strip()[:1].isdigit() for line in text.splitlines())


def _alsa_capture(dev: Path = Path("/dev/snd")) -> bool:
    try:
        return any(p.name.startswith("pcmC") and p.name.endswith("c") for p in dev.iterdir())
    except OSError:
        return False


def _pulse_socket() -> bool:
    try:
        return Path(f"/run/user/{os.getuid()}/pulse/native").exists()
    except (OSError, AttributeError):
        return False


def detect_devices() -> AudioDevices:
    """Find a player (aplay, or paplay with a PulseAudio/PipeWire server) and a recorder
    (arecord with an ALSA capture device). No sound card means neither."""
    cards = _alsa_cards()
    play: tuple[str, ...] | None = None
    if cards and shutil.which("aplay"):
        play = ("aplay", "-q")
    elif _pulse_socket() and shutil.which("paplay"):
        play = ("paplay",)
    record: tuple[str, ...] | None = None
    if cards and _alsa_capture() and shutil.which("arecord"):
        record = ("arecord", "-q", "-f", "S16_LE", "-r", "16000", "-c", "1")
    return AudioDevices(play=play, record=record)


def play_file(devices: AudioDevices, path: Path) -> bool:
    """Play a WAV to the end; False when there is no player or it failed."""
    if devices.play is None:
        return False
    try:
        done = subprocess.run([*devices.play, str(path)], capture_output=True, check=False)
    except OSError:
        return False
    return done.returncode == 0


# --- answer sources -----------------------------------------------------------------------------


class AnswerSource(Protocol):
    """Where the candidate's spoken answers come from, one per turn."""

    def next_answer(self, question_number: int) -> NextAnswer:
        """The next recording, "skip"/"end", or None when there are no more answers."""
        ...


class FileAnswers:
    """Recordings in a folder, one per turn, taken in sorted name order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = sorted(
            (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES),
            key=lambda p: p.name,
        )
        self._next = 0

    @property
    def remaining(self) -> int:
        return len(self.files) - self._next

    def next_answer(self, question_number: int) -> NextAnswer:
        if self._next >= len(self.files):
            return None
        self._next += 1
        return self.files[self._next - 1]


class MicrophoneAnswers:
    """Records each answer with `arecord`: Enter starts, Enter stops.

    At the start prompt, /skip skips the question and /end finishes the interview.
    """

    def __init__(
        self,
        command: tuple[str, ...],
        folder: Path,
        max_seconds: float,
        ask: Callable[[str], str] = input,
    ) -> None:
        self.command = command
        self.folder = folder
        self.max_seconds = max_seconds
        self.ask = ask
        self.count = 0

    def next_answer(self, question_number: int) -> NextAnswer:
        try:
            typed = self.ask("Press Enter to answer (or type /skip or /end): ").strip().lower()
        except EOFError:
            return None
        if typed in ("/skip", "/end"):
            return "skip" if typed == "/skip" else "end"
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"answer-{question_number:02d}-{self.count:02d}.wav"
        limit = str(max(1, int(self.max_seconds)))
        proc = subprocess.Popen(
            [*self.command, "-d", limit, str(path)],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.ask("Recording... press Enter to stop. ")
        except EOFError:
            pass
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # arecord finishes the WAV header on SIGINT
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return path


# --- the loop -----------------------------------------------------------------------------------


class RehearsalListener(Protocol):
    """What the loop reports, for a terminal (or a test) to show."""

    def spoke(self, turn: Turn, audio: Path | None, session: InterviewSession) -> None: ...

    def asked_again(self, text: str, audio: Path | None, session: InterviewSession) -> None: ...

    def heard(self, source: Path, result: Transcription) -> None: ...

    def not_heard(self, source: Path, reason: str, asking_again: bool) -> None: ...

    def notice(self, message: str) -> None: ...


@dataclass
class RehearsalResult:
    """What happened in a spoken rehearsal."""

    spoken: list[Path] = field(default_factory=list)  # interviewer audio, in order
    answers: list[tuple[Path, Transcription]] = field(default_factory=list)
    asked_again: int = 0
    out_of_answers: bool = False


class VoiceRehearsal:
    """Speak the interviewer's turns, take spoken answers, transcribe and submit them.

    A recording with no speech (or one that cannot be used) makes the interviewer ask again once;
    a second one in a row is submitted as an empty answer, and the session decides (it asks again
    or moves on). An answer source that runs dry ends the interview, so the report still comes.
    """

    def __init__(
        self,
        session: InterviewSession,
        stt: SpeechToText,
        tts: TextToSpeech,
        answers: AnswerSource,
        out_dir: Path,
        listener: RehearsalListener,
        play: Callable[[Path], object] | None = None,
    ) -> None:
        self.session = session
        self.stt = stt
        self.tts = tts
        self.answers = answers
        self.out_dir = out_dir
        self.listener = listener
        self.play = play
        self.result = RehearsalResult()

    def run(self) -> RehearsalResult:
        from interviewer.schema import Answer
        from interviewer.speech.audio import AudioError

        session = self.session
        self._speak(session.start())
        retried = False
        while not session.finished:
            nxt = self.answers.next_answer(session.question_number)
            if nxt is None:
                self.result.out_of_answers = True
                self.listener.notice("No more answers: ending the interview here.")
                self._speak(session.end())
                break
            if nxt == "end":
                self._speak(session.end())
                break
            if nxt == "skip":
                retried = False
                self._speak(session.skip())
                continue
            heard: Transcription | None = None
            reason = "no speech in the recording (silence or noise)"
            try:
                heard = self.stt.transcribe(nxt)
            except AudioError as exc:
                reason = str(exc)
            if heard is not None and not heard.no_speech:
                retried = False
                self.result.answers.append((nxt, heard))
                self.listener.heard(nxt, heard)
                self._speak(session.submit(heard.answer()))
                continue
            if not retried:
                retried = True
                self.result.asked_again += 1
                self.listener.not_heard(nxt, reason, asking_again=True)
                self._ask_again()
                continue
            retried = False
            self.listener.not_heard(nxt, reason, asking_again=False)
            duration = heard.duration if heard is not None else None
            self._speak(session.submit(Answer(text="", duration=duration)))
        return self.result

    def _voice_file(self, text: str, name: str) -> Path | None:
        from interviewer.speech.tts import TTSError

        try:
            cached = self.tts.synthesize(text, self.session.persona.voice)
        except TTSError as exc:
            self.listener.notice(f"Could not synthesise speech ({exc}); text only.")
            return None
        self.out_dir.mkdir(parents=True, exist_ok=True)
        dest = self.out_dir / name
        shutil.copyfile(cached, dest)
        self.result.spoken.append(dest)
        return dest

    def _speak(self, turns: Sequence[Turn]) -> None:
        for turn in turns:
            audio = self._voice_file(turn.text, f"{turn.index:03d}-{turn.kind.value}.wav")
            self.listener.spoke(turn, audio, self.session)
            if audio is not None and self.play is not None:
                self.play(audio)

    def _ask_again(self) -> None:
        lines = self.session.persona.phrases.retry
        text = lines[self.result.asked_again % len(lines)] if lines else ASK_AGAIN
        audio = self._voice_file(text, f"ask-again-{self.result.asked_again:02d}.wav")
        self.listener.asked_again(text, audio, self.session)
        if audio is not None and self.play is not None:
            self.play(audio)


# --- records shared by the commands -------------------------------------------------------------


def delivery_record(score: Score) -> dict[str, Any]:
    """A delivery score as plain JSON."""
    return {
        "status": score.status.value,
        "value": score.value,
        "band": score.band,
        "explanation": score.explanation,
        "measurements": score.measurements,
    }


def transcription_record(path: Path, result: Transcription) -> dict[str, Any]:
    """One file's transcript, words (timings, probabilities) and delivery figures, as JSON."""
    from interviewer.analysis.delivery import analyze_delivery

    return {
        "file": str(path),
        "error": None,
        "text": result.text,
        "no_speech": result.no_speech,
        "duration": round(result.duration, 3),
        "speech_seconds": result.speech_seconds,
        "confidence": round(result.confidence, 3),
        "words": [w.model_dump() for w in result.words],
        "delivery": delivery_record(analyze_delivery(result.text, result.words, result.duration)),
    }


# --- commands -----------------------------------------------------------------------------------


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per file: text, words with timings and probabilities, delivery.",
)
@click.pass_obj
def transcribe(settings: Settings, files: tuple[Path, ...], as_json: bool) -> None:
    """Transcribe recordings (WAV, WebM, Ogg, MP3, M4A) with the offline speech model.

    A file that cannot be used gets an error line and the others are still transcribed; the exit
    code is 1 when any file failed. Silence or noise is reported as "no speech", not an error.
    """
    from rich.markup import escape

    from interviewer.analysis.delivery import analyze_delivery
    from interviewer.cli import _fail, console, err_console
    from interviewer.speech.audio import AudioError, describe_seconds
    from interviewer.speech.stt import SpeechModelError, get_stt

    stt = get_stt(settings)
    failed = 0
    try:
        with err_console.status("Loading the speech model..."):
            stt.model  # noqa: B018 - load now, so a bad model setting fails once, up front
    except SpeechModelError as exc:
        _fail(str(exc))
        return
    for path in files:
        try:
            with err_console.status(f"Transcribing {path.name}..."):
                result = stt.transcribe(path)
        except AudioError as exc:
            failed += 1
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            if as_json:
                click.echo(json.dumps({"file": str(path), "error": str(exc)}))
            continue
        if as_json:
            click.echo(json.dumps(transcription_record(path, result)))
            continue
        if result.no_speech:
            console.print(
                f"[bold]{escape(path.name)}[/] ({describe_seconds(result.duration)}): "
                "[yellow]no speech found (silence or noise)[/]",
                highlight=False,
            )
            continue
        score = analyze_delivery(result.text, result.words, result.duration)
        wpm = score.measurements.get("words_per_minute")
        pace = f", {wpm:.0f} words per minute" if isinstance(wpm, float | int) else ""
        console.print(
            f"[bold]{escape(path.name)}[/] ({describe_seconds(result.duration)}{pace}, "
            f"confidence {result.confidence:.2f})",
            highlight=False,
        )
        console.print(f"  {escape(result.text)}", highlight=False)
    if failed:
        err_console.print(f"[yellow]{failed} of {len(files)} file(s) could not be transcribed.[/]")
        sys.exit(1)


class _TerminalListener:
    """Prints the rehearsal as it happens."""

    def __init__(self, devices: AudioDevices) -> None:
        from interviewer.cli import console, err_console

        self.console = console
        self.err_console = err_console
        self.devices = devices

    def _where(self, audio: Path | None) -> None:
        if audio is not None and not self.devices.can_play:
            self.console.print(f"[dim]  (audio: {audio})[/]", highlight=False, soft_wrap=True)

    def spoke(self, turn: Turn, audio: Path | None, session: InterviewSession) -> None:
        from rich.markup import escape

        from interviewer.schema import TurnKind

        label = ""
        if turn.kind is TurnKind.QUESTION:
            label = f"[dim]Question {session.question_number} of {session.total_questions}[/]\n"
        self.console.print(
            f"\n{label}[bold cyan]{escape(session.persona.name)}:[/] {escape(turn.text)}",
            highlight=False,
        )
        self._where(audio)

    def asked_again(self, text: str, audio: Path | None, session: InterviewSession) -> None:
        from rich.markup import escape

        name = escape(session.persona.name)
        self.console.print(f"[bold cyan]{name}:[/] {escape(text)}", highlight=False)
        self._where(audio)

    def heard(self, source: Path, result: Transcription) -> None:
        from rich.markup import escape

        self.console.print(
            f"\n[bold green]You[/] [dim]({source.name}, {result.duration:.1f} s):[/] "
            f"{escape(result.text)}",
            highlight=False,
        )

    def not_heard(self, source: Path, reason: str, asking_again: bool) -> None:
        from rich.markup import escape

        then = "asking again" if asking_again else "moving on"
        self.err_console.print(
            f"[yellow]{escape(source.name)}: {escape(reason)} ({then}).[/]", highlight=False
        )

    def notice(self, message: str) -> None:
        from rich.markup import escape

        self.err_console.print(f"[yellow]{escape(message)}[/]", highlight=False)


def _warm_up(session: InterviewSession, stt: SpeechToText) -> None:
    """Load the analysis and speech models in the background; a failure shows up later, where
    the model is actually needed, with its own message."""
    for warm in (stt.warm_up, session.warm_up):
        try:
            warm()
        except Exception:
            continue


def _print_delivery(report: Report) -> None:
    from rich.markup import escape

    from interviewer.cli import console
    from interviewer.schema import ScoreStatus

    lines = [
        (f"Q{q.number}" + (f".{i}" if len(q.delivery) > 1 else ""), score)
        for q in report.questions
        for i, score in enumerate(q.delivery, 1)
        if score.status is ScoreStatus.SCORED
    ]
    console.print("\n[bold]Delivery[/] [dim](per spoken answer; fillers are a lower bound)[/]")
    if not lines:
        console.print("  [dim]no spoken answer long enough to judge delivery[/]")
        return
    for label, score in lines:
        m = score.measurements
        console.print(
            f"  - {label} {escape(score.explanation)} [dim]({m.get('words_per_minute')} wpm, "
            f"{m.get('pauses')} pause(s), fillers >= {m.get('fillers_per_100_words_lower_bound')}"
            f"/100 words)[/]",
            highlight=False,
        )


@click.command()
@click.option(
    "--persona",
    "-p",
    default="ml_expert",
    show_default=True,
    help="ml_expert, backend_engineer, recruiter, or one you added.",
)
@click.option(
    "--questions",
    "-n",
    default=3,
    show_default=True,
    type=click.IntRange(1, 30),
    help="How many main questions.",
)
@click.option("--seed", type=int, help="Repeat an interview exactly (default: random).")
@click.option("--name", help="Your name, used in the report.")
@click.option(
    "--answers",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of recorded answers, one file per turn in name order, instead of the microphone.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the interviewer's audio and your recordings (default: the session folder).",
)
@click.pass_obj
def voice(
    settings: Settings,
    persona: str,
    questions: int,
    seed: int | None,
    name: str | None,
    answers: Path | None,
    out: Path | None,
) -> None:
    """A spoken interview: hear each question, answer aloud, get the report with delivery.

    The interviewer's lines are always written as WAV files and played when this machine has a
    sound device. Answers come from the microphone (arecord; Enter starts and stops), or from
    --answers DIR, e.g. recordings made on a phone, replayed one per turn. A recording with no
    speech makes the interviewer ask again once.
    """
    import random

    from interviewer.cli import _check_persona, _fail, _print_summary, _run_ingest, console
    from interviewer.cli import err_console as errc
    from interviewer.schema import SessionConfig
    from interviewer.session import InterviewSession
    from interviewer.speech.stt import SpeechModelError, get_stt
    from interviewer.speech.tts import get_tts
    from interviewer.vectorstore import index_exists

    devices = detect_devices()
    source: AnswerSource
    if answers is not None:
        files = FileAnswers(answers)
        if not files.files:
            _fail(
                f"no recordings in {answers}",
                f"Put one audio file per answer there ({', '.join(sorted(AUDIO_SUFFIXES))}).",
                2,
            )
            return
        source = files
    elif not devices.can_record:
        _fail(
            "no microphone found (no sound card with a capture device, or arecord missing)",
            "Record your answers elsewhere, one file per turn, and replay them with --answers DIR.",
            2,
        )
        return
    _check_persona(settings, persona)
    if not index_exists(settings):
        console.print("[yellow]First run: building the search index from the knowledge pack.[/]")
        _run_ingest(settings, [])
    config = SessionConfig(
        questions=questions,
        seed=seed if seed is not None else random.randrange(10**6),
        mode="spoken",
    )
    session = InterviewSession.create(settings, persona, config, candidate=name)
    out_dir = out or session.store.folder(session.session_id) / "audio"
    if answers is None:
        assert devices.record is not None
        source = MicrophoneAnswers(devices.record, out_dir, settings.max_recording_seconds)
    stt = get_stt(settings)
    tts = get_tts(settings)
    if not devices.can_play:
        errc.print("[dim]No sound device: the interviewer's lines are written as WAV files.[/]")
    # Load the models while the first question is spoken.
    threading.Thread(target=_warm_up, args=(session, stt), daemon=True).start()
    loop = VoiceRehearsal(
        session,
        stt,
        tts,
        source,
        out_dir,
        _TerminalListener(devices),
        play=(lambda p: play_file(devices, p)) if devices.can_play else None,
    )
    try:
        loop.run()
    except SpeechModelError as exc:
        _fail(str(exc))
        return
    except KeyboardInterrupt:
        errc.print(
            f"\n[yellow]Interview paused and saved.[/] Continue it typed with: "
            f"[bold]interviewer chat --resume {session.session_id}[/]"
        )
        sys.exit(130)
    finally:
        tts.close()
    unused = source.remaining if isinstance(source, FileAnswers) else 0
    if unused:
        errc.print(f"[dim]{unused} answer file(s) not needed: the interview had ended.[/]")
    with errc.status("Writing your feedback report..."):
        report, written = session.report()
    _print_summary(report)
    _print_delivery(report)
    console.print()
    console.print(f"[dim]audio:[/] {out_dir}", highlight=False, soft_wrap=True)
    for fmt, path in written.items():
        console.print(f"[dim]{fmt:>5}:[/] {path}", highlight=False, soft_wrap=True)
