"""Load the knowledge index, retriever and service for a process (gateway, worker, eval, bench)."""

from __future__ import annotations

from bot.config import Settings
from bot.content import Content
from bot.knowledge.embedder import shared_embedder
from bot.knowledge.index import build_index
from bot.knowledge.retriever import Retriever
from bot.knowledge.scripted import load_intent_examples
from bot.knowledge.service import KnowledgeService
from bot.llm.queue import AnswerQueue


def load_retriever(settings: Settings) -> Retriever:
    """The retriever over the current, servable documents (index built if not cached)."""
    embedder = shared_embedder()
    index, _built = build_index(settings.knowledge_dir, settings.cache_dir, embedder)
    return Retriever(index, embedder)


def load_knowledge(settings: Settings, content: Content, queue: AnswerQueue) -> KnowledgeService:
    """The gateway's knowledge route: retriever, intent examples and the answer queue."""
    examples = load_intent_examples(shared_embedder(), settings.cache_dir)
    return KnowledgeService(settings, content, load_retriever(settings), examples, queue)
