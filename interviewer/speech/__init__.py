"""The speech layer: decode recordings, transcribe them with word timings, speak the interviewer.

    from interviewer.speech import get_stt, get_tts
    heard = get_stt(settings).transcribe("answer.webm")   # Transcription (text, words, no_speech)
    session.submit(heard.answer())                         # Answer with word timings
    wav = get_tts(settings).synthesize(turn.text, persona.voice)

Importing this package is cheap: faster-whisper, PyAV and pyttsx3 load on first use.
"""

from interviewer.speech.audio import AudioError, is_silent, load_audio, rms, write_wav
from interviewer.speech.stt import SpeechModelError, SpeechToText, Transcription, get_stt
from interviewer.speech.tts import TextToSpeech, TTSError, get_tts

__all__ = [
    "AudioError",
    "SpeechModelError",
    "SpeechToText",
    "TTSError",
    "TextToSpeech",
    "Transcription",
    "get_stt",
    "get_tts",
    "is_silent",
    "load_audio",
    "rms",
    "write_wav",
]
