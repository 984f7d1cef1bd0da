"""Answer jobs on a Redis Stream with a consumer group, and their results.

The gateway adds a job; any ``carebot worker`` takes it with XREADGROUP and
acknowledges it only after its answer is stored. A worker that dies leaves
the job pending; another worker reclaims it with XAUTOCLAIM once it has been
idle for ``claim_idle_ms``. The answer is stored with SET NX, so even when a
slow worker and its replacement both finish, exactly one answer is published.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.knowledge.grounding import AnswerJob, KnowledgeAnswer
from bot.redis_client import as_text
from bot.streams import WorkStream

STREAM = "carebot:jobs:answers"
GROUP = "answer-workers"
JOB_KEY = "carebot:job:{}"
RESULT_KEY = "carebot:answer:{}"
READY_KEY = "carebot:answer-ready:{}"
EVENTS_KEY = "carebot:answer-events:{}"
BLOCK_SLICE = 2.0  # seconds per blocking read, well under the Redis socket timeout


@dataclass(frozen=True, slots=True)
class Delivery:
    """A job handed to this worker, with the stream entry to acknowledge."""

    entry_id: str
    job: AnswerJob
    reclaimed: bool


class AnswerQueue:
    """Both ends of the queue: the gateway's enqueue/wait and the workers' take/publish."""

    def __init__(self, redis: Redis, result_ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = result_ttl_seconds
        self.jobs = WorkStream(redis, STREAM, GROUP)

    async def ensure_group(self) -> None:
        """Create the stream and consumer group if they do not exist yet."""
        await self.jobs.ensure_group()

    # gateway side -----------------------------------------------------------------

    async def enqueue(self, job: AnswerJob) -> None:
        """Add a job; it stays in the stream until a worker acknowledges it."""
        await self.ensure_group()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(JOB_KEY.format(job.job_id), job.session_id, ex=self.ttl)
            await self.jobs.add(job.model_dump_json(), pipe)
            await pipe.execute()

    async def wait(self, job_id: str, timeout_seconds: float) -> KnowledgeAnswer | None:
        """The answer, waiting up to ``timeout_seconds`` for it; None if not ready yet."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            if answer := await self.result(job_id):
                return answer
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            # short blocking waits: each must end before the client's socket timeout
            await self.redis.blpop([READY_KEY.format(job_id)], timeout=min(left, BLOCK_SLICE))

    async def known(self, job_id: str) -> bool:
        """Whether a job with this id was queued (and has not expired)."""
        return bool(await self.redis.exists(JOB_KEY.format(job_id), RESULT_KEY.format(job_id)))

    async def result(self, job_id: str) -> KnowledgeAnswer | None:
        """The stored answer of a job, if there is one."""
        raw = await self.redis.get(RESULT_KEY.format(job_id))
        return KnowledgeAnswer.model_validate_json(raw) if raw else None

    async def events(
        self, job_id: str, after: str = "0", block_ms: int = 1000
    ) -> list[tuple[str, str, str]]:
        """Streamed pieces of an answer after entry ``after``: (entry id, kind, text)."""
        found: Any = await self.redis.xread({EVENTS_KEY.format(job_id): after}, block=block_ms)
        return [
            (as_text(entry_id), as_text(fields[b"kind"]), as_text(fields[b"text"]))
            for _stream, entries in found
            for entry_id, fields in entries
        ]

    # worker side -------------------------------------------------------------------

    async def take(self, consumer: str, *, claim_idle_ms: int, block_ms: int) -> Delivery | None:
        """Reclaim a dead worker's job if one is idle long enough, else wait for a new one."""
        entry = await self.jobs.take(consumer, claim_idle_ms=claim_idle_ms, block_ms=block_ms)
        if entry is None:
            return None
        return Delivery(
            entry.entry_id, AnswerJob.model_validate_json(entry.payload), entry.reclaimed
        )

    async def publish(self, answer: KnowledgeAnswer) -> bool:
        """Store the answer unless one exists; True if this call published it."""
        stored = await self.redis.set(
            RESULT_KEY.format(answer.job_id), answer.model_dump_json(), nx=True, ex=self.ttl
        )
        if not stored:
            return False
        ready = READY_KEY.format(answer.job_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(ready, "1")
            pipe.expire(ready, self.ttl)
            pipe.xadd(EVENTS_KEY.format(answer.job_id), {"kind": "final", "text": answer.text})
            pipe.expire(EVENTS_KEY.format(answer.job_id), self.ttl)
            await pipe.execute()
        return True

    async def emit(self, job_id: str, kind: str, text: str) -> None:
        """Stream one piece of an answer (a quoted sentence or a draft token)."""
        key = EVENTS_KEY.format(job_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(key, {"kind": kind, "text": text})
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def ack(self, delivery: Delivery) -> None:
        """Acknowledge a job whose answer is stored (by this worker or another)."""
        await self.jobs.ack(delivery.entry_id)

    async def pending(self) -> int:
        """Jobs delivered to a worker but not acknowledged yet."""
        return await self.jobs.pending()
