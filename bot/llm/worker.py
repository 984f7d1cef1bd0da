"""``carebot worker``: take answer jobs from Redis, run the model, publish each answer once.

One model per process. The loop reclaims jobs a dead worker left pending
(XAUTOCLAIM) before reading new ones, answers in a thread so Redis stays
responsive, stores the answer with SET NX, records it in the session and the
inbox, and only then acknowledges the job: a worker killed at any point
leaves either a pending job (reclaimed) or a stored answer (acknowledged by
whoever sees it next), never a lost or doubled one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.audit import log_event
from bot.channels.outbox import Outbox, Outgoing
from bot.config import Settings
from bot.content import load_content
from bot.inbox import Inbox
from bot.knowledge.answerer import Answerer
from bot.knowledge.grounding import AnswerJob, KnowledgeAnswer
from bot.llm.model import LocalModel
from bot.llm.queue import AnswerQueue, Delivery
from bot.messages import Outcome, Reply, Route
from bot.sessions import SessionStore, Turn, now

WORKER_KEY = "carebot:worker:{}"
HEARTBEAT_SECONDS = 10.0
HEARTBEAT_TTL = 30
REDIS_RETRY_FIRST = 0.5  # seconds; doubled after each failure in a row
REDIS_RETRY_MAX = 8.0


class Worker:
    """One consumer of the answer stream."""

    def __init__(
        self,
        redis: Redis,
        answerer: Answerer,
        queue: AnswerQueue,
        sessions: SessionStore,
        inbox: Inbox,
        *,
        claim_idle_ms: int,
        block_ms: int = 1000,
        name: str | None = None,
    ) -> None:
        self.redis = redis
        self.answerer = answerer
        self.queue = queue
        self.sessions = sessions
        self.inbox = inbox
        self.outbox = Outbox(redis, sessions.ttl)
        self.claim_idle_ms = claim_idle_ms
        self.block_ms = block_ms
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"

    async def run(self, stop: asyncio.Event) -> None:
        """Answer jobs until ``stop`` is set, riding out Redis outages."""
        log_event("worker_started", worker=self.name)
        pause = REDIS_RETRY_FIRST
        beat = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - beat > HEARTBEAT_SECONDS:
                    # "this worker is alive and has its model loaded", for start-up
                    # checks and operators (keys expire when a worker dies)
                    await self.redis.set(WORKER_KEY.format(self.name), "1", ex=HEARTBEAT_TTL)
                    beat = time.monotonic()
                await self.step()
                pause = REDIS_RETRY_FIRST
            except RedisError as exc:
                # Redis down or restarting: unanswered jobs stay pending in the
                # stream (or are re-sent by the gateway), so waiting loses nothing
                log_event(
                    "worker_redis_error",
                    level=logging.WARNING,
                    worker=self.name,
                    error=type(exc).__name__,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, REDIS_RETRY_MAX)

    async def step(self) -> KnowledgeAnswer | None:
        """Take and answer one job if there is one; returns the published answer."""
        delivery = await self.queue.take(
            self.name, claim_idle_ms=self.claim_idle_ms, block_ms=self.block_ms
        )
        if delivery is None:
            return None
        if stored := await self.queue.result(delivery.job.job_id):
            # answered by a worker that died before acking: finish its delivery (idempotent)
            await self._push(delivery.job, stored)
            await self.queue.ack(delivery)
            return None
        answer = await self._answer(delivery)
        published = await self.queue.publish(answer)
        if published:
            await self._record(delivery.job, answer)
        await self._push(delivery.job, answer)
        await self.queue.ack(delivery)
        log_event(
            "answer",
            session_id=delivery.job.session_id,
            worker=self.name,
            path=answer.path,
            rejected=list(answer.rejected),
            citations=[c.id for c in answer.citations],
            prompt_tokens=answer.prompt_tokens,
            reclaimed=delivery.reclaimed,
            published=published,
            ms=round(answer.seconds * 1000, 1),
        )
        return answer if published else None

    async def _answer(self, delivery: Delivery) -> KnowledgeAnswer:
        loop = asyncio.get_running_loop()
        job = delivery.job

        def emit(kind: str, text: str) -> None:
            # called from the model thread: hand the write to the event loop
            asyncio.run_coroutine_threadsafe(self.queue.emit(job.job_id, kind, text), loop)

        emitter: Callable[[str, str], None] = emit
        try:
            answer = await asyncio.to_thread(self.answerer.answer, job, emitter)
        except Exception as exc:  # any model failure must still answer the patient
            log_event(
                "model_error",
                session_id=job.session_id,
                level=logging.ERROR,
                error=type(exc).__name__,
            )
            answer = self.answerer.without_model(job)
        return answer.model_copy(update={"worker": self.name})

    async def _push(self, job: AnswerJob, answer: KnowledgeAnswer) -> None:
        """Queue the answer for sending on SMS and WhatsApp (once per job, however
        many workers get here)."""
        if job.channel == "sms" or job.channel == "whatsapp":
            item = Outgoing(
                ref=job.job_id, session_id=job.session_id, channel=job.channel, text=answer.text
            )
            await self.outbox.add(item)

    async def _record(self, job: AnswerJob, answer: KnowledgeAnswer) -> None:
        """Add the answer to the session history and complete the inbox record."""
        outcome = Outcome(
            route=Route.KNOWLEDGE,
            replies=(Reply(text=answer.text),),
            citations=answer.citations,
            language=job.language,
            job_id=job.job_id,
        )
        await self.sessions.append(
            job.session_id,
            [Turn(role="bot", text=answer.text, route=Route.KNOWLEDGE.value, at=now())],
        )
        record = await self.inbox.get(job.session_id, job.message_id)
        if record is not None:
            await self.inbox.finish(record, "answered", outcome)


def make_worker(settings: Settings, redis: Redis, *, name: str | None = None) -> Worker:
    """A worker with the configured model, as ``carebot worker`` runs it."""
    model = LocalModel(
        settings.llm_model_path, n_ctx=settings.llm_context_tokens, threads=settings.llm_threads
    )
    answerer = Answerer(
        model, load_content(settings.data_dir), settings.locale, settings.answer_mode
    )
    return Worker(
        redis,
        answerer,
        AnswerQueue(redis, settings.answer_ttl_seconds),
        SessionStore(redis, settings.session_ttl_seconds, settings.history_max_turns),
        Inbox(redis, settings.session_ttl_seconds),
        claim_idle_ms=int(settings.answer_claim_idle_seconds * 1000),
        name=name,
    )


def lower_priority(nice: int) -> None:
    """Make this process's CPU use yield to the gateway's.

    The model is batch work; a webhook or a scripted turn should take a core at
    once instead of queueing behind llama.cpp's threads. With the kernel's
    autogroup scheduling, niceness only counts inside a session, so a worker
    that leads its own session (as ``carebot run`` and service managers start
    it) also lowers its session group's weight.
    """
    os.nice(nice)
    if os.getsid(0) == os.getpid():
        with contextlib.suppress(OSError):  # no autogroup support: niceness alone
            Path("/proc/self/autogroup").write_text(f"{nice}\n")
