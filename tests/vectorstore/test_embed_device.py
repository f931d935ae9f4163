"""The embedder picks its device (REPORTQA_EMBED_DEVICE, else CUDA if torch sees one, else CPU)."""

from __future__ import annotations

import pytest

from vectorstore.embedder import DEVICE_ENV, Embedder, choose_device, default_batch_size


def test_environment_overrides_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEVICE_ENV, "cuda:1")
    assert choose_device() == "cuda:1"
    assert choose_device("cpu") == "cpu"  # an explicit device wins
    embedder = Embedder()
    assert embedder.device == "cuda:1" and embedder.batch_size == default_batch_size("cuda")
    assert Embedder(batch_size=8).batch_size == 8


def test_auto_follows_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert choose_device() == "cuda" and choose_device("auto") == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    embedder = Embedder()
    assert embedder.device == "cpu" and embedder.batch_size == 32
    assert "auto" in repr(Embedder())  # undecided until used: repr imports nothing
