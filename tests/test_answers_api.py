"""Knowledge answers through the HTTP API: wait, or 202 and collect them later.

A second gateway that never waits (``answer_wait_seconds=0``) shows the
asynchronous path end to end, with the stack's real ``carebot worker``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.services import Stack
from tests.helpers import serve_gateway

pytestmark = pytest.mark.slow
QUESTION = "how many days does dengue fever usually last"


@pytest.fixture(scope="module")
def impatient_gateway(stack: Stack, settings: Settings) -> Iterator[str]:
    """A gateway that answers every knowledge question with 202 at once."""
    with serve_gateway(settings, answer_wait_seconds=0.0) as url:
        yield url


@pytest.fixture
async def impatient(impatient_gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=impatient_gateway, timeout=30) as http:
        yield http


async def _post(client: httpx.AsyncClient, session: str, **extra: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/messages", json={"session_id": session, "text": QUESTION, **extra}
    )


async def _poll(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    for _ in range(600):
        response = await client.get(url)
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        assert response.status_code == 202
        await asyncio.sleep(0.1)
    raise AssertionError("the answer never came")


async def test_a_slow_answer_returns_202_and_a_url_that_later_has_it(
    impatient: httpx.AsyncClient,
) -> None:
    response = await _post(impatient, "async-1")
    assert response.status_code == 202
    body = response.json()
    assert body["route"] == "knowledge" and body["answer_url"]
    assert response.headers["location"] == body["answer_url"]
    assert "looking this up" in body["replies"][0]["text"]
    answer = await _poll(impatient, body["answer_url"])
    assert answer["status"] == "answered"
    assert [c["id"] for c in answer["citations"]] == ["dengue"]
    assert "Source:" in answer["replies"][0]["text"]


async def test_resending_the_message_after_it_was_answered_returns_the_answer(
    impatient: httpx.AsyncClient,
) -> None:
    first = await _post(impatient, "async-2", message_id="q-1")
    await _poll(impatient, first.json()["answer_url"])
    again = await _post(impatient, "async-2", message_id="q-1")
    assert again.status_code == 200
    assert again.json()["citations"] and again.json()["answer_url"] is None


async def test_the_answer_streams_as_server_sent_events(impatient: httpx.AsyncClient) -> None:
    url = (await _post(impatient, "async-3")).json()["answer_url"]
    events: list[tuple[str, str]] = []
    async with impatient.stream("GET", url + "/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = ""
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))["text"]))
                if kind == "final":
                    break
    kinds = [k for k, _ in events]
    assert kinds[-1] == "final" and "sentence" in kinds
    sentences = [t for k, t in events if k == "sentence"]
    assert all(s in events[-1][1] for s in sentences)


async def test_unknown_answers_are_404(impatient: httpx.AsyncClient) -> None:
    assert (await impatient.get("/api/v1/answers/" + "0" * 32)).status_code == 404
    assert (await impatient.get("/api/v1/answers/not-a-job")).status_code == 422
    assert (await impatient.get("/api/v1/answers/" + "0" * 32 + "/events")).status_code == 404


async def test_the_answer_joins_the_conversation_history(
    impatient: httpx.AsyncClient, settings: Settings
) -> None:
    from redis.asyncio import Redis

    from bot.sessions import SessionStore

    body = (await _post(impatient, "async-4")).json()
    await _poll(impatient, body["answer_url"])
    redis = Redis.from_url(settings.redis_url or "")
    try:
        history = await SessionStore(redis, 60, 50).history("async-4")
    finally:
        await redis.aclose()
    assert [t.role for t in history] == ["patient", "bot"]
    assert history[-1].route == "knowledge" and "Source:" in history[-1].text
