"""The persistent Chroma store: one client per index folder, the collections we keep in it.

Indexing writes through these handles and retrieval reads through them. Chroma is always given our
local embedder (its default would download a model) and never sends telemetry.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.config import Settings, apply_offline_environment
from interviewer.embeddings import get_embedder

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma

GUIDE = "guide"
QUESTIONS = "questions"
# Cosine distance suits normalised sentence embeddings; relevance is then 1 - distance.
_COLLECTION_CONFIG = {"hnsw": {"space": "cosine"}}

_lock = threading.Lock()


@lru_cache(maxsize=4)
def _client(index_dir: Path) -> ClientAPI:
    apply_offline_environment()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    index_dir.mkdir(parents=True, exist_ok=True)
    client: ClientAPI = chromadb.PersistentClient(
        path=str(index_dir),
        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
    )
    return client


def open_collection(settings: Settings, name: str) -> Chroma:
    """A LangChain handle on one collection of the configured index (created if missing)."""
    from langchain_chroma import Chroma

    with _lock:
        client = _client(settings.index_dir.resolve())
        return Chroma(
            collection_name=name,
            embedding_function=get_embedder(settings),
            client=client,
            collection_configuration=_COLLECTION_CONFIG,  # type: ignore[arg-type]
            relevance_score_fn=lambda distance: max(0.0, 1.0 - distance),
        )


def index_exists(settings: Settings) -> bool:
    """Whether an index folder has been created (cheap; does not open Chroma)."""
    return (settings.index_dir / "chroma.sqlite3").is_file()
