"""The lean sentence encoder: the same vectors as sentence-transformers, without its start-up."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.embeddings import bundled_model_path
from interviewer.encoder import LeanBertEncoder, lean_config, load_sentence_encoder

TEXTS = [
    "Regularization reduces overfitting by penalising large weights.",
    "Gradient boosting builds shallow trees one after another, each fixing the last one's errors.",
    "hi",
    "",
    "word " * 600,  # longer than the model's 256-token window: cut like sentence-transformers
    "Ünïcödé, naïve café, 日本語のテスト 🙂",
    "We used a transformer with RLHF'd LoRA adapters, precision 0.92 and recall 0.81.",
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return bundled_model_path()


@pytest.mark.slow
def test_the_bundled_model_gives_the_same_vectors_as_sentence_transformers(
    model_dir: Path,
) -> None:
    from sentence_transformers import SentenceTransformer

    lean = load_sentence_encoder(model_dir)
    assert isinstance(lean, LeanBertEncoder)
    reference = SentenceTransformer(str(model_dir), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True
    )
    ours = lean.encode(TEXTS, batch_size=3)  # several batches, padded differently
    assert ours.shape == reference.shape == (len(TEXTS), 384)
    assert np.min(np.sum(ours * reference, axis=1)) >= 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_the_int8_copy_keeps_the_ranking_and_leaves_the_original_alone(model_dir: Path) -> None:
    lean = load_sentence_encoder(model_dir)
    query, near, far = lean.encode(
        [
            "How do you handle class imbalance?",
            "Resample the minority class or weight the loss for rare classes.",
            "Our office has a nice coffee machine.",
        ],
        batch_size=8,
    )
    before = lean.encode(TEXTS[:2], batch_size=8)
    int8 = lean.quantized()
    q, n, f = int8.encode(
        [
            "How do you handle class imbalance?",
            "Resample the minority class or weight the loss for rare classes.",
            "Our office has a nice coffee machine.",
        ],
        batch_size=8,
    )
    assert q @ n > q @ f and query @ near > query @ far
    assert np.array_equal(before, lean.encode(TEXTS[:2], batch_size=8))


def _copy_config(model_dir: Path, tmp_path: Path) -> Path:
    """The model's small files only (the checks read configuration, not weights)."""
    folder = tmp_path / "model"
    folder.mkdir(parents=True)
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        shutil.copy(model_dir / name, folder / name)
    (folder / "1_Pooling").mkdir()
    shutil.copy(model_dir / "1_Pooling" / "config.json", folder / "1_Pooling" / "config.json")
    (folder / "model.safetensors").write_bytes(b"")
    return folder


def _edit(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_only_models_it_can_run_exactly_take_the_lean_path(model_dir: Path, tmp_path: Path) -> None:
    folder = _copy_config(model_dir, tmp_path)
    assert lean_config(folder) is not None
    assert lean_config(folder)["max_seq_length"] == 256  # type: ignore[index]

    for i, (file, change) in enumerate(
        [
            ("config.json", {"model_type": "roberta"}),
            ("config.json", {"hidden_act": "relu"}),
            ("config.json", {"position_embedding_type": "relative_key"}),
            (
                "1_Pooling/config.json",
                {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True},
            ),
            ("sentence_bert_config.json", {"do_lower_case": True}),
        ]
    ):
        other = _copy_config(model_dir, tmp_path / f"variant{i}")
        _edit(other / file, **change)
        assert lean_config(other) is None, (file, change)

    broken = _copy_config(model_dir, tmp_path / "broken")
    (broken / "modules.json").write_text("not json", encoding="utf-8")
    assert lean_config(broken) is None


@pytest.mark.slow
def test_embedding_text_does_not_import_sentence_transformers(tmp_path: Path) -> None:
    """The point of the lean path: a command that embeds starts seconds sooner."""
    code = (
        "import sys\n"
        "from interviewer.config import Settings\n"
        "from interviewer.embeddings import get_analysis_embedder\n"
        "v = get_analysis_embedder(Settings()).encode(['a short answer about overfitting'])\n"
        "assert v.shape == (1, 384)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sentence_transformers', 'transformers')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"
