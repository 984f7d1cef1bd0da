"""The gateway's knowledge route: retrieve, decide, enqueue, wait a little.

Retrieval and the decision to answer run here, in milliseconds, so an
unanswerable question is declined at once without queueing for the model.
Answerable ones become jobs for ``carebot worker``; the gateway waits up to
``answer_wait_seconds`` and otherwise tells the caller where to collect the
answer (the API's 202 and poll URL).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from bot.audit import log_event
from bot.config import Settings
from bot.content import Content
from bot.knowledge.grounding import job_for
from bot.knowledge.retriever import Retrieval, Retriever
from bot.knowledge.scripted import IntentExamples
from bot.llm.queue import AnswerQueue
from bot.messages import InboundMessage, Language, Outcome, Reply, Route

# How much more a vetted sentence must resemble a question than the closest training
# example of the scripted intent Rasa chose, for the vetted sentence to answer it.
# Measured on the public sets (questions Rasa gave a scripted intent, compared as
# retrieval's English content words): -0.10 sends 38 of 66 answerable knowledge
# questions to the knowledge base and none of 17 unanswerable ones, and keeps 176
# of 181 scripted-intent cases with Rasa; 0.0 sends 32 and keeps 178.
SCRIPTED_MARGIN = -0.10
# A message Rasa read as a request for a person, without asking for one in so
# many words (those are always Rasa's handoff, bot/person_request.py), goes to
# the knowledge base when it is plainly a question a vetted sentence answers
# ("at what temperature is it called a fever", "staff marathi bolte hai kya?").
# Measured on the public sets: such questions are at +0.04 and above, real
# requests at -0.35 and below.
HANDOFF_MARGIN = 0.0


class KnowledgeService:
    """Answers health and hospital questions from the vetted knowledge base only."""

    def __init__(
        self,
        settings: Settings,
        content: Content,
        retriever: Retriever,
        examples: IntentExamples,
        queue: AnswerQueue,
    ) -> None:
        self.settings = settings
        self.content = content
        self.retriever = retriever
        self.examples = examples
        self.queue = queue

    async def search(self, question: str, language: Language) -> Retrieval:
        """Retrieval for one question, off the event loop (its time is logged)."""
        started = time.perf_counter()
        found = await asyncio.to_thread(self.retriever.search, question, language)
        log_event(
            "retrieval_time",
            level=logging.DEBUG,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return found

    def prefers_knowledge(
        self, intent: str, retrieval: Retrieval, margin: float = SCRIPTED_MARGIN
    ) -> bool:
        """Whether a vetted sentence answers the question better than the scripted reply
        of ``intent`` would: retrieval found an answer, and the answering passage's best
        sentence resembles the question more closely than any of the intent's own
        training examples do, give or take ``margin``."""
        if not retrieval.answerable or not retrieval.passages or retrieval.query_vector is None:
            return False
        resemblance = self.examples.resemblance(retrieval.query_vector, intent)
        return retrieval.answer_sentence - resemblance > margin

    async def ask(
        self,
        message: InboundMessage,
        language: Language,
        locale: str,
        retrieval: Retrieval | None = None,
    ) -> Outcome:
        """The knowledge route's outcome for one message (retrieving unless given)."""
        if retrieval is None:
            retrieval = await self.search(message.text, language)
        retrieved = tuple(dict.fromkeys(p.passage.doc_id for p in retrieval.passages))
        log_event(
            "retrieval",
            session_id=message.session_id,
            answerable=retrieval.answerable,
            top=round(retrieval.top_score, 3),
            docs=list(retrieved),
        )
        if not retrieval.answerable:
            reply = self.content.reply("knowledge_unknown", language, locale)
            return Outcome(
                route=Route.KNOWLEDGE, replies=(reply,), language=language, retrieved=retrieved
            )
        job = job_for(
            retrieval,
            job_id=uuid.uuid4().hex,
            session_id=message.session_id,
            message_id=message.message_id,
            channel=message.channel,
            language=language,
            question=message.text,
            max_chars=self.settings.max_text_chars,
            created_at=time.time(),
        )
        await self.queue.enqueue(job)
        wait = message.answer_wait_seconds
        if wait is None:
            wait = self.settings.answer_wait_seconds
        answer = await self.queue.wait(job.job_id, wait)
        if answer is None:
            pending = self.content.reply("knowledge_pending", language, locale)
            return Outcome(
                route=Route.KNOWLEDGE,
                replies=(pending,),
                language=language,
                job_id=job.job_id,
                pending=True,
                retrieved=retrieved,
            )
        return Outcome(
            route=Route.KNOWLEDGE,
            replies=(Reply(text=answer.text, buttons=(self.content.button("human", language),)),),
            citations=answer.citations,
            language=language,
            job_id=job.job_id,
            retrieved=retrieved,
        )
