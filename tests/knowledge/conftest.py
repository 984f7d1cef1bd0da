"""The real knowledge index and retriever, built once per test session (cached by content)."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.knowledge.embedder import MiniLMEmbedder, shared_embedder
from bot.knowledge.loader import load_retriever
from bot.knowledge.retriever import Retriever


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return shared_embedder()


@pytest.fixture(scope="session")
def retriever(embedder: MiniLMEmbedder) -> Retriever:
    return load_retriever(Settings())
