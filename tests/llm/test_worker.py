"""Answer workers against a real Redis and a real GGUF model (SmolLM2).

The crash test starts ``carebot worker`` as a real process, kills it with
SIGKILL while it is answering, and checks that a second worker reclaims the
job and that the patient gets exactly one answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import psutil
import pytest
from redis.asyncio import Redis

from bot.config import ROOT, Settings
from bot.inbox import Inbox
from bot.llm.queue import EVENTS_KEY, GROUP, STREAM, AnswerQueue
from bot.llm.worker import make_worker
from bot.messages import InboundMessage
from bot.services import EmbeddedRedis, redis_env, worker_env
from bot.sessions import SessionState, SessionStore
from tests.helpers import free_port
from tests.knowledge.samples import SMOLLM2, fee_job

pytestmark = pytest.mark.slow


def _settings(redis_server: EmbeddedRedis, idle_seconds: float = 60.0) -> Settings:
    return Settings(
        redis_url=redis_server.url,
        llm_model_path=SMOLLM2,
        answer_claim_idle_seconds=idle_seconds,
    )


async def _worker_process(
    redis_server: EmbeddedRedis, settings: Settings, *, own_session: bool = False
) -> asyncio.subprocess.Process:
    """A real `carebot worker` process on the test Redis (``own_session`` as
    `carebot run` starts it)."""
    env = {**os.environ, **redis_env(redis_server.url, settings), **worker_env(settings)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "worker",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=own_session,
    )


def _autogroup(pid: int) -> str | None:
    path = Path(f"/proc/{pid}/autogroup")
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


async def _finals(redis: Redis, job_id: str) -> int:
    entries = await redis.xrange(EVENTS_KEY.format(job_id))
    return sum(fields[b"kind"] == b"final" for _id, fields in entries)


async def test_a_worker_answers_records_and_acknowledges(
    redis: Redis, redis_server: EmbeddedRedis
) -> None:
    settings = _settings(redis_server)
    sessions = SessionStore(redis, 3600, 50)
    await sessions.save("s-1", SessionState(channel="api", locale="IN"), [])
    inbox = Inbox(redis, 3600)
    await inbox.accept(InboundMessage(session_id="s-1", text="q", channel="api", message_id="m-1"))
    job = fee_job("s-1", "m-1")
    queue = AnswerQueue(redis, 3600)
    await queue.enqueue(job)
    worker = make_worker(settings, redis, name="w1")
    answer = await worker.step()
    assert answer is not None and answer.job_id == job.job_id and answer.worker == "w1"
    assert await queue.pending() == 0
    history = await sessions.history("s-1")
    assert history[-1].route == "knowledge" and history[-1].text == answer.text
    record = await inbox.get("s-1", "m-1")
    assert record is not None and record.status == "answered"
    assert record.outcome is not None and record.outcome.citations == answer.citations


async def test_a_job_whose_worker_is_killed_is_answered_exactly_once(
    redis: Redis, redis_server: EmbeddedRedis
) -> None:
    settings = _settings(redis_server, idle_seconds=1.0)
    queue = AnswerQueue(redis, 3600)
    await queue.ensure_group()
    doomed = await _worker_process(redis_server, settings)
    try:
        job = fee_job()
        await queue.enqueue(job)
        deadline = time.monotonic() + 60
        while not await redis.xpending_range(STREAM, GROUP, min="-", max="+", count=1):
            assert time.monotonic() < deadline, "the worker never took the job"
            assert doomed.returncode is None, "the worker exited before taking the job"
            await asyncio.sleep(0.005)
        doomed.send_signal(signal.SIGKILL)  # mid-answer: taken, not yet answered
        await asyncio.wait_for(doomed.wait(), 10)
    finally:
        if doomed.returncode is None:
            doomed.kill()
            await doomed.wait()
    assert await queue.result(job.job_id) is None
    assert await queue.pending() == 1

    survivor = make_worker(settings, redis, name="survivor")
    await asyncio.sleep(1.1)  # let the job go idle past answer_claim_idle_seconds
    answer = await survivor.step()
    assert answer is not None and answer.job_id == job.job_id
    assert await queue.pending() == 0
    assert await _finals(redis, job.job_id) == 1
    # nothing is left to answer twice
    assert await survivor.step() is None
    assert await _finals(redis, job.job_id) == 1


async def test_a_job_answered_before_its_worker_died_is_not_answered_again(
    redis: Redis, redis_server: EmbeddedRedis
) -> None:
    settings = _settings(redis_server, idle_seconds=0.0)
    queue = AnswerQueue(redis, 3600)
    job = fee_job()
    await queue.enqueue(job)
    taken = await queue.take("died-after-publishing", claim_idle_ms=60_000, block_ms=100)
    assert taken is not None
    first = make_worker(settings, redis, name="first")
    # simulate the dead worker's last act: the answer is stored, the ack never sent
    from bot.knowledge.grounding import KnowledgeAnswer

    await queue.publish(
        KnowledgeAnswer(job_id=job.job_id, text="stored", answered=True, path="extractive")
    )
    assert await first.step() is None  # reclaims, sees the answer, only acknowledges
    assert await queue.pending() == 0
    stored = await queue.result(job.job_id)
    assert stored is not None and stored.text == "stored"
    assert await _finals(redis, job.job_id) == 1


async def test_a_worker_keeps_answering_after_its_stream_is_deleted(
    redis: Redis, redis_server: EmbeddedRedis
) -> None:
    settings = _settings(redis_server)
    queue = AnswerQueue(redis, 3600)
    worker = make_worker(settings, redis, name="w-deleted")
    await queue.ensure_group()
    await redis.delete(STREAM)  # the group goes with it, as after FLUSHDB
    assert await worker.step() is None  # recreates the group instead of crashing
    job = fee_job()
    await queue.enqueue(job)
    answer = await worker.step()
    assert answer is not None and answer.job_id == job.job_id


async def test_a_worker_rides_out_a_redis_restart() -> None:
    server = EmbeddedRedis(free_port())
    server.start()
    redis = Redis.from_url(server.url)
    stop = asyncio.Event()
    worker = make_worker(_settings(server), redis, name="w-restart")
    running = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.5)
        server.stop()
        await asyncio.sleep(1.5)  # the worker meets a dead Redis and backs off
        assert not running.done(), "the worker died with Redis"
        server.start()  # same port, empty, as a restarted Redis without persistence
        queue = AnswerQueue(redis, 3600)
        job = fee_job()
        await queue.enqueue(job)
        answer = await queue.wait(job.job_id, 30)
        assert answer is not None and answer.answered
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await redis.aclose()
        server.stop()


async def test_a_model_failure_still_answers_with_the_best_vetted_sentence(
    redis: Redis, redis_server: EmbeddedRedis
) -> None:
    # a context window smaller than the prompt makes llama.cpp itself refuse the job
    settings = _settings(redis_server).model_copy(update={"llm_context_tokens": 64})
    queue = AnswerQueue(redis, 3600)
    job = fee_job()
    await queue.enqueue(job)
    answer = await make_worker(settings, redis, name="w-small").step()
    assert answer is not None and answer.path == "retrieval_only"
    assert answer.quoted == (job.candidates[0].text,)
    assert answer.citations and "Source:" in answer.text
    assert await queue.pending() == 0


async def test_a_worker_process_yields_the_cpu_to_the_gateway(
    redis: Redis, redis_server: EmbeddedRedis
) -> None:
    settings = _settings(redis_server)
    worker = await _worker_process(redis_server, settings, own_session=True)
    try:
        deadline = time.monotonic() + 60
        while not await redis.keys("carebot:worker:*"):
            assert time.monotonic() < deadline, "the worker never reported ready"
            await asyncio.sleep(0.1)
        assert psutil.Process(worker.pid).nice() == settings.worker_nice
        autogroup = await asyncio.to_thread(_autogroup, worker.pid)
        if autogroup is not None:  # kernels with autogroup scheduling
            assert autogroup.endswith(f"nice {settings.worker_nice}")
    finally:
        worker.terminate()
        await worker.wait()
