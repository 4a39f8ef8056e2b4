"""Settings: the one place that reads the environment.

Every knob has a sensible default so the tool runs offline out of the box. Override a setting with
an environment variable (`INTERVIEWER_DATA_DIR=/tmp/x`), a `.env` file in the working directory,
or a command-line flag where one exists. No other module reads `os.environ`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _bundled(name: str) -> Path:
    """A data folder shipped with the project: the source tree's, or the wheel's copy."""
    in_tree = PROJECT_DIR / name
    return in_tree if in_tree.is_dir() else PACKAGE_DIR / "_data" / name


class Settings(BaseSettings):
    """All configuration, with defaults that work offline."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path("interviewer"),
        description="Where the vector index, sessions and reports live.",
    )
    knowledge_dir: Path = Field(default_factory=lambda: _bundled("knowledge"))
    personas_dir: Path = Field(default_factory=lambda: _bundled("personas"))

    embedding_model: str = Field(
        default="",
        description="Path to a sentence-transformers model; empty: the bundled all-MiniLM-L6-v2.",
    )
    embedding_quantize: bool = Field(
        default=True, description="Run the embedding model with int8 weights (about 3x faster)."
    )
    chunk_size: int = Field(default=900, ge=200, le=8000)
    chunk_overlap: int = Field(default=100, ge=0, le=2000)

    # --- speech -------------------------------------------------------------------------------
    whisper_model: str = Field(
        default="",
        description="faster-whisper model: a size name (tiny.en, base.en, ...) or a folder; "
        "empty means the bundled tiny.en.",
    )
    whisper_compute_type: str = Field(default="int8", description="int8, float32, ...")
    whisper_beam_size: int = Field(default=1, ge=1, le=10, description="1 = greedy decoding.")
    max_recording_seconds: float = Field(
        default=300.0, gt=0, description="Longer audio is refused."
    )
    tts_engine: str = Field(default="pyttsx3", description="pyttsx3 or espeak (direct).")

    # --- language model (optional) -----------------------------------------------------------
    brain: str = Field(default="offline", description="offline (templates) or llm.")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1."
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name at that endpoint.")
    llm_api_key: str = Field(default="not-needed", description="Key, if the endpoint needs one.")
    llm_temperature: float = Field(default=0.4, ge=0, le=2)
    llm_timeout: float = Field(default=20.0, gt=0, description="Seconds per request.")
    llm_max_retries: int = Field(default=2, ge=0, le=10, description="On 429, 5xx, resets.")
    llm_breaker_failures: int = Field(
        default=2, ge=1, description="Consecutive failures that pause the model ..."
    )
    llm_breaker_seconds: float = Field(default=60.0, ge=0, description="... for this long.")
    llm_second_opinion: bool = Field(
        default=False, description="Ask the model to grade depth too (shown beside the score)."
    )

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)

    # --- web app --------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=1, le=65535)
    auth: str | None = Field(default=None, description="'user:password' to require a login.")
    share: bool = Field(default=False, description="Create a public Gradio link (off: local only).")

    @property
    def index_dir(self) -> Path:
        """The persistent Chroma store."""
        return self.data_dir / "index"

    @property
    def audio_cache_dir(self) -> Path:
        """Synthesised interviewer speech, cached by text and voice."""
        return self.data_dir / "audio-cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "LANGCHAIN_TRACING_V2": "false",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def apply_offline_environment() -> None:
    """Tell the libraries underneath not to phone home; called by every entry point at start."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
