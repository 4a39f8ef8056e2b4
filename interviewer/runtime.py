"""The shared, lazily built pieces every entry point needs: pack, personas, the analyzer.

Built on first use and kept for the life of the process, so the CLI, the web app and batch
workers all load the embedding model once.
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.analysis import Analyzer
from interviewer.config import Settings
from interviewer.embeddings import get_analysis_embedder
from interviewer.knowledge import cached_pack
from interviewer.personas import get_persona
from interviewer.schema import KnowledgePack, Persona


def pack(settings: Settings) -> KnowledgePack:
    return cached_pack(settings.knowledge_dir)


def persona(settings: Settings, persona_id: str) -> Persona:
    return get_persona(settings.personas_dir, persona_id)


@lru_cache(maxsize=4)
def _analyzer(settings_key: tuple[str, str, str]) -> Analyzer:
    knowledge_dir, embedding_model, _ = settings_key
    settings = Settings(embedding_model=embedding_model)
    from pathlib import Path

    glossary = cached_pack(Path(knowledge_dir)).glossary
    return Analyzer(glossary, get_analysis_embedder(settings).encode)


def analyzer(settings: Settings) -> Analyzer:
    """The process-wide analyzer for these settings (the model loads on the first analysis)."""
    return _analyzer((str(settings.knowledge_dir), settings.embedding_model, "analysis"))
