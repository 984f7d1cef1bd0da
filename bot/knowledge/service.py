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
from bot.knowledge.retriever import Retrieval, Retriever
from bot.llm.queue import AnswerQueue
from bot.messages import InboundMessage, Language, Outcome, Reply, Route

# How much closer (cosine) a vetted sentence must be than a scripted reply to replace
# it. Measured on the public sets: 0.20 hands 20 of 45 specific questions that Rasa
# gave an informational intent to the knowledge base, and 4 of 43 generic ones
# ("when is the OPD open?") that the scripted reply already answers.
SCRIPTED_MARGIN = 0.20


class KnowledgeService:
    """Answers health and hospital questions from the vetted knowledge base only."""

    def __init__(
        self, settings: Settings, content: Content, retriever: Retriever, queue: AnswerQueue
    ) -> None:
        self.settings = settings
        self.content = content
        self.retriever = retriever
        self.queue = queue

    async def closer_than(
        self, question: str, language: Language, scripted: str
    ) -> Retrieval | None:
        """Retrieval for a question Rasa gave a scripted informational reply, if a vetted
        sentence answers it more closely than that reply does ("can I bring flowers to
        the ICU" is about visiting, but the visiting-hours reply does not answer it)."""
        found = await asyncio.to_thread(self.retriever.search, question, language)
        if not found.answerable or not found.passages:
            return None
        question_vector, reply_vector = await asyncio.to_thread(
            self.retriever.embedder.embed, [question, scripted]
        )
        scripted_similarity = float(question_vector @ reply_vector)
        if found.passages[0].best_sentence > scripted_similarity + SCRIPTED_MARGIN:
            return found
        return None

    async def ask(
        self,
        message: InboundMessage,
        language: Language,
        locale: str,
        retrieval: Retrieval | None = None,
    ) -> Outcome:
        """The knowledge route's outcome for one message (retrieving unless given)."""
        started = time.perf_counter()
        if retrieval is None:
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
