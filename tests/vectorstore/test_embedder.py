"""Tests of vectorstore.embedder with the real packaged model (loaded once per session)."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from vectorstore.embedder import PACKAGED_MODEL_NAME, Embedder, packaged_model_path
from vectorstore.errors import EmbedderError, StoreError

PRIORITY = (
    "Some cases referred to the initial assessment team have been closed without the children "
    "being seen."
)
PARAPHRASE = "Cases were closed before a social worker had seen the child."
UNRELATED = "Parking permits for residents can be renewed online every twelve months."


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _norm(a: list[float]) -> float:
    return math.sqrt(_dot(a, a))


# ------------------------------------------------------------------ without loading the model


def test_constructor_does_not_load_the_model() -> None:
    fresh = Embedder()
    assert not fresh.is_loaded
    assert fresh.model_name == PACKAGED_MODEL_NAME
    assert fresh.model_path == packaged_model_path()


def test_packaged_folder_given_explicitly_keeps_the_stable_name() -> None:
    assert Embedder(packaged_model_path()).model_name == PACKAGED_MODEL_NAME


def test_hub_id_is_refused_with_the_fix() -> None:
    with pytest.raises(EmbedderError) as info:
        Embedder("sentence-transformers/all-MiniLM-L6-v2")
    message = str(info.value)
    assert "sentence-transformers/all-MiniLM-L6-v2 does not exist" in message
    assert "REPORTQA_EMBEDDING_MODEL" in message
    assert isinstance(info.value, StoreError)


def test_file_and_non_model_folder_are_refused(tmp_path: Path) -> None:
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"\0")
    with pytest.raises(EmbedderError, match="is a file, not a folder"):
        Embedder(weights)
    with pytest.raises(EmbedderError, match="not a sentence-transformers model"):
        Embedder(tmp_path)


def test_custom_folder_is_named_after_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my-minilm"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    assert Embedder(folder).model_name == "my-minilm"


def test_broken_model_folder_fails_on_load_with_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.json").write_text("{not json")
    broken = Embedder(folder)
    with pytest.raises(EmbedderError, match="cannot load the embedding model from .*broken"):
        broken.load()


def test_dimension_comes_from_the_config_files_without_loading() -> None:
    fresh = Embedder()
    assert fresh.dimension == 384
    assert not fresh.is_loaded


def test_tokens_are_counted_without_loading_the_model() -> None:
    fresh = Embedder()
    assert fresh.max_seq_length == 256
    assert fresh.count_tokens("") == 2  # [CLS] and [SEP]
    assert fresh.count_tokens(PRIORITY) > 10
    assert not fresh.is_loaded


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def test_dimension_follows_pooling_then_dense_layers(tmp_path: Path) -> None:
    folder = tmp_path / "dense"
    _write_json(folder / "modules.json", [
        {"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ])
    _write_json(folder / "1_Pooling" / "config.json",
                {"word_embedding_dimension": 768, "pooling_mode_mean_tokens": True})
    _write_json(folder / "2_Dense" / "config.json", {"in_features": 768, "out_features": 256})
    embedder = Embedder(folder)
    assert embedder.dimension == 256
    assert not embedder.is_loaded


def test_plain_transformers_folder_uses_hidden_size(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    _write_json(folder / "config.json", {"hidden_size": 512})
    assert Embedder(folder).dimension == 512


def test_undeclared_dimension_falls_back_to_loading(tmp_path: Path) -> None:
    folder = tmp_path / "two-modes"
    _write_json(folder / "modules.json",
                [{"idx": 0, "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}])
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": 384, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": True})
    with pytest.raises(EmbedderError, match="cannot load the embedding model"):
        Embedder(folder).dimension  # noqa: B018


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(EmbedderError, match="REPORTQA_EMBED_BATCH_SIZE"):
        Embedder(batch_size=0)


# ------------------------------------------------------------------ with the real model


@pytest.mark.slow
def test_dimension_and_sequence_length(embedder: Embedder) -> None:
    assert isinstance(embedder, Embeddings)
    assert embedder.dimension == 384
    assert embedder.max_seq_length == 256
    assert len(embedder.embed_query("Strengths")) == embedder.dimension


@pytest.mark.slow
def test_vectors_are_normalised(embedder: Embedder) -> None:
    vectors = embedder.embed_documents([PRIORITY, UNRELATED, "x", "Areas for development"])
    assert len(vectors) == 4
    for vector in vectors:
        assert all(isinstance(x, float) for x in vector)
        assert _norm(vector) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.slow
def test_similar_sentences_are_closer_than_unrelated_ones(embedder: Embedder) -> None:
    priority, paraphrase, unrelated = embedder.embed_documents([PRIORITY, PARAPHRASE, UNRELATED])
    assert _dot(priority, paraphrase) > _dot(priority, unrelated) + 0.2


@pytest.mark.slow
def test_batch_result_equals_single_results(embedder: Embedder) -> None:
    texts = [PRIORITY, "Yours sincerely", UNRELATED * 3, PARAPHRASE, "Strengths"]
    small_batches = Embedder(batch_size=2)
    small_batches._model = embedder.load()  # share the loaded model, keep batch size 2
    batched = small_batches.embed_documents(texts)
    for text, vector in zip(texts, batched, strict=True):
        single = embedder.embed_query(text)
        assert max(abs(a - b) for a, b in zip(vector, single, strict=True)) < 1e-4


@pytest.mark.slow
def test_count_tokens_counts_special_tokens_and_matches_the_tokenizer(embedder: Embedder) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(embedder.model_path))
    long_text = " ".join([PRIORITY] * 30)
    for text in ["", "Strengths", PRIORITY, long_text]:
        expected = len(tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])
        assert embedder.count_tokens(text) == expected
    assert embedder.count_tokens("") == 2  # [CLS] and [SEP]
    assert embedder.count_tokens(long_text) > embedder.max_seq_length


@pytest.mark.slow
def test_a_text_fits_exactly_when_its_count_is_within_max_seq_length(embedder: Embedder) -> None:
    model = embedder.load()
    words = PRIORITY.split()
    for n_words in (5, 150, 200, 400):
        text = " ".join((words * 40)[:n_words])
        count = embedder.count_tokens(text)
        fed = int(model.preprocess([text])["input_ids"].shape[1])
        assert fed == min(count, embedder.max_seq_length)


@pytest.mark.slow
def test_empty_input_and_wrong_types(embedder: Embedder) -> None:
    assert embedder.embed_documents([]) == []
    with pytest.raises(EmbedderError, match="text 1 to embed is int"):
        embedder.embed_documents(["fine", 3])  # type: ignore[list-item]


@pytest.mark.slow
def test_async_interface_from_langchain(embedder: Embedder) -> None:
    vector = asyncio.run(embedder.aembed_query(PRIORITY))
    assert (
        max(abs(a - b) for a, b in zip(vector, embedder.embed_query(PRIORITY), strict=True)) < 1e-5
    )
