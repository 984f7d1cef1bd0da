"""Answer jobs on a real Redis: every job is answered, and answered once."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.knowledge.grounding import KnowledgeAnswer
from bot.llm.queue import EVENTS_KEY, AnswerQueue
from tests.knowledge.samples import fee_job


def _answer(job_id: str, text: str) -> KnowledgeAnswer:
    return KnowledgeAnswer(job_id=job_id, text=text, answered=True, path="extractive")


async def test_a_job_waits_in_the_stream_until_a_worker_takes_it(redis: Redis) -> None:
    queue = AnswerQueue(redis, 60)
    job = fee_job()
    await queue.enqueue(job)
    assert await queue.known(job.job_id)
    delivery = await queue.take("w1", claim_idle_ms=60_000, block_ms=100)
    assert delivery is not None and delivery.job == job and not delivery.reclaimed
    assert await queue.pending() == 1
    assert await queue.take("w2", claim_idle_ms=60_000, block_ms=100) is None


async def test_only_the_first_answer_to_a_job_is_published(redis: Redis) -> None:
    queue = AnswerQueue(redis, 60)
    job = fee_job()
    await queue.enqueue(job)
    assert await queue.publish(_answer(job.job_id, "first"))
    assert not await queue.publish(_answer(job.job_id, "second"))
    stored = await queue.result(job.job_id)
    assert stored is not None and stored.text == "first"
    finals = [
        e for e in await redis.xrange(EVENTS_KEY.format(job.job_id)) if e[1][b"kind"] == b"final"
    ]
    assert len(finals) == 1


async def test_waiting_returns_the_answer_as_soon_as_it_is_published(redis: Redis) -> None:
    queue = AnswerQueue(redis, 60)
    job = fee_job()
    await queue.enqueue(job)
    assert await queue.wait(job.job_id, 0.2) is None
    await queue.publish(_answer(job.job_id, "done"))
    answer = await queue.wait(job.job_id, 5)
    assert answer is not None and answer.text == "done"


async def test_a_stale_job_is_reclaimed_by_another_worker(redis: Redis) -> None:
    queue = AnswerQueue(redis, 60)
    job = fee_job()
    await queue.enqueue(job)
    assert await queue.take("dead", claim_idle_ms=60_000, block_ms=100) is not None
    again = await queue.take("alive", claim_idle_ms=0, block_ms=100)
    assert again is not None and again.reclaimed and again.job.job_id == job.job_id


async def test_unknown_jobs_are_not_known(redis: Redis) -> None:
    assert not await AnswerQueue(redis, 60).known("0" * 32)
