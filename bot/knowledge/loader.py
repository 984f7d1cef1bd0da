"""Load the knowledge index and retriever for a process (gateway, worker, eval, bench)."""

from __future__ import annotations

from bot.config import Settings
from bot.knowledge.embedder import shared_embedder
from bot.knowledge.index import build_index
from bot.knowledge.retriever import Retriever


def load_retriever(settings: Settings) -> Retriever:
    """The retriever over the current, servable documents (index built if not cached)."""
    embedder = shared_embedder()
    index, _built = build_index(settings.knowledge_dir, settings.cache_dir, embedder)
    return Retriever(index, embedder)
