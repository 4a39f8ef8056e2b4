"""Reading and writing audio: what browsers and phones record, decoded to 16 kHz mono float32.

Decoding goes through PyAV (the FFmpeg libraries bundled in its wheel, the same route
`faster_whisper.audio.decode_audio` takes), so WAV, WebM/Ogg (Opus), MP3 and M4A (AAC) work
without an `ffmpeg` program on the machine. Every way a file can be unusable becomes an
`AudioError` whose message names the file and says what to do about it; a recording longer than
the configured limit is refused from the container's stated duration before anything is decoded.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from av.audio.frame import AudioFrame
    from av.container import InputContainer

#: The sample rate Whisper expects, and the one every decoded recording is resampled to.
SAMPLE_RATE = 16_000
#: Below this level (dBFS, RMS) a recording is treated as silence.
SILENCE_DBFS = -60.0
#: Extensions the recorder of a browser or phone typically produces, for messages.
SUPPORTED = "WAV, WebM, Ogg, MP3 or M4A"

Samples = npt.NDArray[np.float32]
AudioProblem = Literal[
    "missing", "empty", "not_audio", "corrupt", "unsupported", "no_audio", "too_long"
]


class AudioError(ValueError):
    """An audio file that cannot be used; the message says which file, why, and what to do."""

    def __init__(self, message: str, kind: AudioProblem, path: Path | None = None) -> None:
        super().__init__(message)
        self.kind: AudioProblem = kind
        self.path = path


def describe_seconds(seconds: float) -> str:
    """'45 seconds', '5 minutes', '10 minutes 30 seconds': durations as people say them."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if not minutes:
        return f"{secs} second{'s' if secs != 1 else ''}"
    text = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return text + (f" {secs} second{'s' if secs != 1 else ''}" if secs else "")


def too_long_error(name: str, seconds: float, limit: float, path: Path | None) -> AudioError:
    """The message for a recording over the limit: split it, with the limit in words."""
    return AudioError(
        f"{name} is {describe_seconds(seconds)} long, longer than {describe_seconds(limit)}: "
        f"split it into answers shorter than {describe_seconds(limit)} and give them one by one "
        "(or raise INTERVIEWER_MAX_RECORDING_SECONDS).",
        "too_long",
        path,
    )


# --- WAV headers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavInfo:
    """What a RIFF/WAVE header says, checked against the file's real size."""

    channels: int
    sample_rate: int
    bits: int
    data_offset: int
    data_bytes: int  # what is actually present, never more than the file holds
    declared_bytes: int  # what the header claims (recorders that were killed leave 0 or 2^32-1)

    @property
    def duration(self) -> float:
        frame = max(1, self.channels * self.bits // 8)
        return self.data_bytes / frame / self.sample_rate if self.sample_rate else 0.0

    @property
    def complete(self) -> bool:
        """The header's data size matches the bytes that follow it."""
        return self.declared_bytes == self.data_bytes


def read_wav_header(path: Path) -> WavInfo:
    """Parse a RIFF/WAVE header (fmt and data chunks); AudioError('corrupt') when it is broken."""
    size = path.stat().st_size
    broken = AudioError(
        f"{path.name} has a damaged WAV header (the file was cut short or is not a real WAV): "
        "record or export it again.",
        "corrupt",
        path,
    )
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise broken
        fmt: tuple[int, int, int] | None = None
        offset = 12
        while True:
            fh.seek(offset)
            chunk = fh.read(8)
            if len(chunk) < 8:
                raise broken
            chunk_id, chunk_size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            body = offset + 8
            if chunk_id == b"fmt ":
                raw = fh.read(16)
                if len(raw) < 16:
                    raise broken
                _, channels, rate, _, _, bits = struct.unpack("<HHIIHH", raw)
                fmt = (channels, rate, bits)
            elif chunk_id == b"data":
                if fmt is None or not fmt[0] or not fmt[1] or not fmt[2]:
                    raise broken
                present = max(0, size - body)
                return WavInfo(
                    channels=fmt[0],
                    sample_rate=fmt[1],
                    bits=fmt[2],
                    data_offset=body,
                    data_bytes=min(chunk_size, present),
                    declared_bytes=chunk_size,
                )
            offset = body + chunk_size + (chunk_size & 1)
            if offset >= size:
                raise broken


# --- decoding ----------------------------------------------------------------------------------

_AUDIO_MAGIC = (
    b"RIFF",  # wav
    b"OggS",  # ogg / opus
    b"\x1a\x45\xdf\xa3",  # webm / matroska
    b"ID3",  # mp3 with tags
    b"fLaC",  # flac
    b"FORM",  # aiff
    b"#!AMR",  # amr (old phones)
)


def _looks_like_text(head: bytes) -> bool:
    """True for a file that starts like text (a note or a log renamed to .wav, say)."""
    if not head or b"\x00" in head or head.startswith(_AUDIO_MAGIC):
        return False
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xf1", b"\xff\xf9"):
        return False  # mp3 / adts frame sync
    if head[4:8] == b"ftyp":
        return False  # mp4 / m4a
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return False
        text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * max(1, len(text))


def check_file(path: Path) -> bytes:
    """The first bytes of an existing, non-empty file that is not text; else AudioError."""
    name = path.name
    if not path.exists():
        raise AudioError(
            f"{path}: no such file. Check the path (record your answer first if you have not).",
            "missing",
            path,
        )
    if not path.is_file():
        raise AudioError(f"{path} is a folder, not an audio file: give a file.", "missing", path)
    if path.stat().st_size == 0:
        raise AudioError(
            f"{name} is empty (0 bytes): the recording saved nothing. Record it again.",
            "empty",
            path,
        )
    with path.open("rb") as fh:
        head = fh.read(512)
    if _looks_like_text(head):
        raise AudioError(
            f"{name} is a text file, not audio (only its name says {path.suffix or 'audio'}). "
            f"Give a recording: {SUPPORTED}.",
            "not_audio",
            path,
        )
    return head


def probe_duration(path: Path) -> float | None:
    """The recording's length in seconds as its container states it, without decoding.

    None when the container does not say (a live browser recording in WebM often does not).
    Raises AudioError for files that cannot be opened at all.
    """
    head = check_file(path)
    if head.startswith(b"RIFF"):
        info = read_wav_header(path)
        if info.bits in (8, 16, 24, 32):
            return info.duration
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return _container_duration(container)
    except av.FFmpegError as exc:
        raise _unreadable(path, exc) from exc


def _container_duration(container: InputContainer) -> float | None:
    import av

    streams = container.streams.audio
    if streams:
        stream = streams[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / av.time_base
    return None


def _unreadable(path: Path, exc: Exception) -> AudioError:
    detail = str(exc).split(":")[0].strip() or type(exc).__name__
    return AudioError(
        f"{path.name} could not be decoded as audio ({detail}): it is damaged or in a format "
        f"this program does not read. Give a recording in {SUPPORTED}.",
        "unsupported",
        path,
    )


def load_audio(path: str | Path, max_seconds: float | None = None) -> Samples:
    """Decode any supported recording to 16 kHz mono float32 in [-1, 1].

    Longer than `max_seconds` is refused: from the stated duration before decoding, or while
    decoding for containers that do not state one. Undecodable frames in the middle of a file
    are skipped (as faster-whisper does); a file with none decodable is an AudioError.
    """
    path = Path(path)
    stated = probe_duration(path)  # also checks existence, emptiness, text, WAV header
    if max_seconds is not None and stated is not None and stated > max_seconds + 0.5:
        raise too_long_error(path.name, stated, max_seconds, path)
    import av

    limit = None if max_seconds is None else int((max_seconds + 0.5) * SAMPLE_RATE)
    pieces: list[Samples] = []
    total = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(
                    f"{path.name} has no sound track (a video without audio?): record again "
                    "with the microphone on.",
                    "no_audio",
                    path,
                )
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in _frames(container):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    pieces.append(chunk)
                    total += chunk.size
                if limit is not None and total > limit:
                    raise too_long_error(path.name, total / SAMPLE_RATE, max_seconds or 0, path)
            for out in resampler.resample(None):
                pieces.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
    except av.FFmpegError as exc:
        raise _unreadable(path, exc) from exc
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    if samples.size == 0:
        raise AudioError(
            f"{path.name} contains no audio samples: the recording is empty. Record it again.",
            "empty",
            path,
        )
    return np.clip(samples, -1.0, 1.0)


def _frames(container: InputContainer) -> Iterator[AudioFrame]:
    """Audio frames of the first audio stream, skipping frames that fail to decode."""
    import av

    stream = container.streams.audio[0]
    decoded_any = False
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.InvalidDataError:
            continue  # a damaged packet: skip it, like faster-whisper does
        for frame in frames:
            decoded_any = True
            yield frame
    if not decoded_any:
        raise av.InvalidDataError(0, "no decodable audio frames")


# --- levels ------------------------------------------------------------------------------------


def rms(samples: npt.NDArray[np.floating]) -> float:
    """Root-mean-square level of samples in [-1, 1] (0.0 for no samples)."""
    if samples.size == 0:
        return 0.0
    x = samples.astype(np.float64, copy=False)
    return float(np.sqrt(np.mean(x * x)))


def rms_dbfs(samples: npt.NDArray[np.floating]) -> float:
    """RMS level in dB relative to full scale (-inf for digital silence)."""
    level = rms(samples)
    return float(20 * np.log10(level)) if level > 0 else float("-inf")


def is_silent(samples: npt.NDArray[np.floating], threshold_dbfs: float = SILENCE_DBFS) -> bool:
    """Whether a recording is (near) silent: no samples, or its RMS is below the threshold."""
    return samples.size == 0 or rms_dbfs(samples) < threshold_dbfs


def speech_bounds(
    samples: npt.NDArray[np.floating],
    sample_rate: int = SAMPLE_RATE,
    threshold_dbfs: float = -40.0,
    window_s: float = 0.02,
) -> tuple[int, int]:
    """First and last sample index of sound above the threshold, in 20 ms windows.

    Used to trim the silence a synthesiser leaves around speech. (0, 0) for silence.
    """
    win = max(1, int(sample_rate * window_s))
    n = samples.size // win
    if n == 0:
        return (0, 0)
    frames = samples[: n * win].astype(np.float64).reshape(n, win)
    levels = np.sqrt(np.mean(frames * frames, axis=1))
    loud = np.flatnonzero(levels > 10 ** (threshold_dbfs / 20))
    if loud.size == 0:
        return (0, 0)
    return int(loud[0] * win), int(min(samples.size, (loud[-1] + 1) * win))


# --- writing -----------------------------------------------------------------------------------


def to_pcm16(samples: npt.NDArray[np.floating] | npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """Float samples in [-1, 1] (clipped) or int16 samples, as int16."""
    if samples.dtype == np.int16:
        return samples.astype(np.int16, copy=False)
    scaled = np.clip(samples.astype(np.float64), -1.0, 1.0) * 32767.0
    return np.round(scaled).astype(np.int16)


def write_wav(
    path: str | Path,
    samples: npt.NDArray[np.floating] | npt.NDArray[np.int16],
    sample_rate: int = SAMPLE_RATE,
) -> Path:
    """Write mono 16-bit PCM WAV atomically (a temporary file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = to_pcm16(np.asarray(samples).reshape(-1))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            out.writeframes(pcm.tobytes())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def read_wav(path: str | Path) -> tuple[npt.NDArray[np.float32], int]:
    """A 16-bit PCM WAV as float32 samples (channels averaged) and its sample rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise AudioError(f"{Path(path).name}: only 16-bit WAV is read here", "unsupported")
        raw = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        channels = wav.getnchannels()
        rate = wav.getframerate()
    data = raw.astype(np.float32) / 32768.0
    if channels > 1:
        data = data[: data.size - data.size % channels].reshape(-1, channels).mean(axis=1)
    return data.astype(np.float32), rate


def verify_wav(path: Path, min_seconds: float = 0.05) -> float:
    """Duration of a complete, non-empty WAV file; AudioError if it is missing, cut or empty.

    Used before a synthesised file is published, so a half-written file is never served.
    """
    check_file(path)
    info = read_wav_header(path)
    if not info.complete:
        raise AudioError(
            f"{path.name} is incomplete: its header declares {info.declared_bytes} bytes of audio "
            f"but {info.data_bytes} are present.",
            "corrupt",
            path,
        )
    if info.duration < min_seconds:
        raise AudioError(f"{path.name} holds no audio ({info.duration:.3f} s).", "empty", path)
    return info.duration
