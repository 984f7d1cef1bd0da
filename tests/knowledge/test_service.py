"""When a vetted sentence answers a message better than the scripted reply Rasa chose
(real retriever, MiniLM, Rasa's nlu.yml examples, real Redis behind the queue)."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.content import load_content
from bot.knowledge.embedder import MiniLMEmbedder
from bot.knowledge.retriever import Retriever
from bot.knowledge.scripted import load_intent_examples
from bot.knowledge.service import HANDOFF_MARGIN, KnowledgeService
from bot.llm.queue import AnswerQueue


@pytest.fixture
def service(
    settings: Settings, retriever: Retriever, embedder: MiniLMEmbedder, redis: Redis
) -> KnowledgeService:
    examples = load_intent_examples(embedder, settings.cache_dir)
    return KnowledgeService(settings, load_content(), retriever, examples, AnswerQueue(redis, 60))


def _prefers(service: KnowledgeService, text: str, intent: str, **margin: float) -> bool:
    return service.prefers_knowledge(intent, service.retriever.search(text, "en"), **margin)


@pytest.mark.parametrize(
    "request_text",
    [
        "can i talk to a real person",
        "connect me to the receptionist",
        "I want to speak with a human, not a bot",
        "let me talk to someone at the front desk",
    ],
)
def test_a_request_for_a_person_is_never_answered_from_the_knowledge_base(
    service: KnowledgeService, request_text: str
) -> None:
    assert not _prefers(service, request_text, "talk_to_human", margin=HANDOFF_MARGIN)


def test_a_plain_question_misread_as_a_request_for_a_person_is_answered(
    service: KnowledgeService,
) -> None:
    question = "at what temperature is it actually called a fever"
    assert _prefers(service, question, "talk_to_human", margin=HANDOFF_MARGIN)


def test_a_question_the_scripted_reply_does_not_answer_goes_to_the_knowledge_base(
    service: KnowledgeService,
) -> None:
    assert _prefers(service, "can i take flowers for my uncle in the ICU", "visiting_hours")
    assert not _prefers(service, "what are the visiting hours for the ward", "visiting_hours")
