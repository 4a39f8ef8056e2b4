"""A lean sentence encoder for BERT-style sentence-transformers models with mean pooling.

all-MiniLM-L6-v2 is six small transformer layers, but loading it through sentence-transformers
first imports sentence-transformers and transformers, which costs about 3.5 s of every cold start
on this machine (the CLI, each batch worker, the app's first answer). This module runs the same
forward pass with torch alone, from the model folder's `model.safetensors`, `tokenizer.json` and
configuration, and gives the same vectors (cosine >= 0.9999, checked in the tests).

`load_sentence_encoder` picks it when the folder is a model it can run exactly (BERT, absolute
positions, GELU, mean pooling); any other model is loaded through sentence-transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import torch


class SentenceEncoder(Protocol):
    """What the embedder needs from a model: unit vectors for texts, and their size."""

    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray[Any, Any]: ...

    def quantized(self) -> SentenceEncoder:
        """A copy with int8 weights in its linear layers (faster on a CPU, coarser vectors)."""
        ...


def _int8(module: Any) -> Any:
    """Dynamic int8 quantisation of a module's linear layers, on a copy."""
    import copy
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch flags its eager quantisation API as deprecated
        return torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            copy.deepcopy(module), {torch.nn.Linear}, dtype=torch.qint8
        )


_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def lean_config(folder: Path) -> dict[str, Any] | None:
    """The model's settings when this module can run it exactly, else None."""
    try:
        config = _read_json(folder / "config.json")
        modules = _read_json(folder / "modules.json")
        pooling = _read_json(folder / "1_Pooling" / "config.json")
        st_config_path = folder / "sentence_bert_config.json"
        st_config = _read_json(st_config_path) if st_config_path.exists() else {}
    except (OSError, ValueError):
        return None
    types = [m.get("type") for m in modules] if isinstance(modules, list) else []
    if types[:2] != [_TRANSFORMER, _POOLING] or any(t != _NORMALIZE for t in types[2:]):
        return None
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    if (
        config.get("model_type") != "bert"
        or config.get("hidden_act") != "gelu"
        or config.get("position_embedding_type", "absolute") != "absolute"
        or modes != {"pooling_mode_mean_tokens"}
        or st_config.get("do_lower_case")
        or not (folder / "tokenizer.json").exists()
        or not (folder / "model.safetensors").exists()
    ):
        return None
    positions = int(config["max_position_embeddings"])
    return {
        **config,
        "max_seq_length": min(int(st_config.get("max_seq_length") or positions), positions),
    }


def load_sentence_encoder(folder: Path) -> SentenceEncoder:
    """The fastest faithful encoder for the model in `folder` (loads weights: call lazily)."""
    config = lean_config(folder)
    if config is not None:
        return LeanBertEncoder.load(folder, config)
    return _SentenceTransformersEncoder(folder)


class _SentenceTransformersEncoder:
    """Any other model, through sentence-transformers itself."""

    def __init__(self, folder: Path, model: Any = None) -> None:
        if model is None:
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(folder), device="cpu")
        self.folder = folder
        self.model = model
        self.dimension = int(self.model.get_embedding_dimension() or 384)

    def quantized(self) -> _SentenceTransformersEncoder:
        return _SentenceTransformersEncoder(self.folder, _int8(self.model))

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray[Any, Any]:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def _build_module(config: dict[str, Any]) -> torch.nn.Module:
    """The BERT encoder as a torch module (its Linear layers can be quantised dynamically)."""
    import torch
    from torch import nn
    from torch.nn import functional as F  # noqa: N812

    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    eps = float(config.get("layer_norm_eps", 1e-12))

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.query = nn.Linear(hidden, hidden)
            self.key = nn.Linear(hidden, hidden)
            self.value = nn.Linear(hidden, hidden)
            self.attention_out = nn.Linear(hidden, hidden)
            self.attention_norm = nn.LayerNorm(hidden, eps=eps)
            self.intermediate = nn.Linear(hidden, int(config["intermediate_size"]))
            self.output = nn.Linear(int(config["intermediate_size"]), hidden)
            self.output_norm = nn.LayerNorm(hidden, eps=eps)

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            b, t, _ = x.shape

            def heads_of(v: torch.Tensor) -> torch.Tensor:
                return v.view(b, t, heads, hidden // heads).transpose(1, 2)

            context = F.scaled_dot_product_attention(
                heads_of(self.query(x)), heads_of(self.key(x)), heads_of(self.value(x)), mask
            )
            context = context.transpose(1, 2).reshape(b, t, hidden)
            x = self.attention_norm(x + self.attention_out(context))
            out: torch.Tensor = self.output_norm(x + self.output(F.gelu(self.intermediate(x))))
            return out

    class Bert(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(int(config["vocab_size"]), hidden)
            self.positions = nn.Embedding(int(config["max_position_embeddings"]), hidden)
            self.token_types = nn.Embedding(int(config.get("type_vocab_size", 2)), hidden)
            self.embedding_norm = nn.LayerNorm(hidden, eps=eps)
            self.layers = nn.ModuleList(Layer() for _ in range(int(config["num_hidden_layers"])))

        def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            x = self.words(ids) + self.positions(positions) + self.token_types.weight[0]
            x = self.embedding_norm(x)
            # Padding gets a large negative score, so no real token attends to it.
            mask = (1.0 - attention[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
            for layer in self.layers:
                x = layer(x, mask)
            weights = attention.unsqueeze(-1).to(x.dtype)
            pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, p=2, dim=1)

    return Bert()


#: Our parameter names -> the checkpoint's (layer parameters: see `_checkpoint_name`).
_EMBEDDING_NAMES = {
    "words.weight": "embeddings.word_embeddings.weight",
    "positions.weight": "embeddings.position_embeddings.weight",
    "token_types.weight": "embeddings.token_type_embeddings.weight",
    "embedding_norm.weight": "embeddings.LayerNorm.weight",
    "embedding_norm.bias": "embeddings.LayerNorm.bias",
}
_LAYER_NAMES = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attention_out": "attention.output.dense",
    "attention_norm": "attention.output.LayerNorm",
    "intermediate": "intermediate.dense",
    "output": "output.dense",
    "output_norm": "output.LayerNorm",
}


def _checkpoint_name(ours: str, keys: set[str]) -> str:
    if ours in _EMBEDDING_NAMES:
        name = _EMBEDDING_NAMES[ours]
    else:
        _, index, part, kind = ours.split(".")
        name = f"encoder.layer.{index}.{_LAYER_NAMES[part]}.{kind}"
    # Checkpoints saved from a BertModel have no prefix; some carry the "bert." of a task head.
    return name if name in keys else f"bert.{name}"


class LeanBertEncoder:
    """The forward pass of a BERT sentence-transformers model, with torch and tokenizers only."""

    def __init__(self, module: torch.nn.Module, tokenizer: Any, dimension: int) -> None:
        self.module = module
        self.tokenizer = tokenizer
        self.dimension = dimension

    @classmethod
    def load(cls, folder: Path, config: dict[str, Any]) -> LeanBertEncoder:
        import torch
        from safetensors import safe_open
        from tokenizers import Tokenizer

        module = _build_module(config)
        with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
            keys = set(f.keys())
            state = {
                ours: f.get_tensor(_checkpoint_name(ours, keys)).to(torch.float32)
                for ours in module.state_dict()
            }
        module.load_state_dict(state)
        module.eval()
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The file's own settings (a fixed pad to 128) are not what sentence-transformers uses:
        # pad to the longest text of a batch, cut at the model's max_seq_length.
        tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
        tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)))
        return cls(module, tokenizer, int(config["hidden_size"]))

    def quantized(self) -> LeanBertEncoder:
        return LeanBertEncoder(_int8(self.module), self.tokenizer, self.dimension)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray[Any, Any]:
        import torch

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chosen = order[start : start + batch_size]
                encoded = self.tokenizer.encode_batch([texts[i] for i in chosen])
                ids = torch.tensor([e.ids for e in encoded], dtype=torch.long)
                attention = torch.tensor([e.attention_mask for e in encoded], dtype=torch.long)
                out[chosen] = self.module(ids, attention).numpy()
        return out
