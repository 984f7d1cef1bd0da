"""The gateway's knowledge route: retrieve, decide, enqueue, wait a little.

Retrieval and the decision to answer run here, in milliseconds, so an
unanswerable question is declined at once without queueing for the model.
Answerable ones become jobs for ``carebot worker``; the gateway waits up to
``answer_wait_seconds`` and otherwise tells the caller where to collect the
answer (the API's 202 and poll URL).
"""

from __future__ import annotations

import asyncio
import time
import uuid

from bot.audit import log_event
from bot.config import Settings
from bot.content import Content
from bot.knowledge.grounding import job_for
from bot.knowledge.retriever import Retriever
from bot.llm.queue import AnswerQueue
from bot.messages import InboundMessage, Language, Outcome, Reply, Route


class KnowledgeService:
    """Answers health and hospital questions from the vetted knowledge base only."""

    def __init__(
        self, settings: Settings, content: Content, retriever: Retriever, queue: AnswerQueue
    ) -> None:
        self.settings = settings
        self.content = content
        self.retriever = retriever
        self.queue = queue

    async def ask(self, message: InboundMessage, language: Language, locale: str) -> Outcome:
        """The knowledge route's outcome for one message."""
        started = time.perf_counter()
        retrieval = await asyncio.to_thread(self.retriever.search, message.text, language)
        retrieved = tuple(dict.fromkeys(p.passage.doc_id for p in retrieval.passages))
        log_event(
            "retrieval",
            session_id=message.session_id,
            answerable=retrieval.answerable,
            top=round(retrieval.top_score, 3),
            docs=list(retrieved),
            ms=round((time.perf_counter() - started) * 1000, 1),
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
        answer = await self.queue.wait(job.job_id, self.settings.answer_wait_seconds)
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
