"""When Redis or Rasa is down: 503 with Retry-After, nothing lost, emergencies still answered."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.inbox import Inbox
from tests.helpers import free_port, serve_gateway

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def without_rasa(settings: Settings) -> Iterator[str]:
    """A gateway whose Rasa is not running (nothing listens on its port)."""
    with serve_gateway(settings, rasa_url=f"http://127.0.0.1:{free_port()}") as url:
        yield url


@pytest.fixture(scope="module")
def without_redis(settings: Settings) -> Iterator[str]:
    """A gateway whose Redis is not running."""
    with serve_gateway(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0") as url:
        yield url


def post(url: str, session_id: str, text: str, message_id: str | None = None) -> httpx.Response:
    body = {"session_id": session_id, "text": text}
    if message_id:
        body["message_id"] = message_id
    return httpx.post(f"{url}/api/v1/messages", json=body, timeout=30)


async def test_rasa_down_gives_503_and_keeps_the_message(without_rasa: str, redis: Redis) -> None:
    response = post(without_rasa, "out-rasa", "what are the visiting hours", "m-7")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    record = await Inbox(redis, 60).get("out-rasa", "m-7")
    assert record is not None and record.status == "failed"
    assert record.message.text == "what are the visiting hours"


def test_rasa_down_still_answers_emergencies(without_rasa: str) -> None:
    response = post(without_rasa, "out-rasa-2", "my baby is not breathing")
    assert response.status_code == 200
    assert response.json()["route"] == "emergency"


def test_rasa_down_is_not_ready(without_rasa: str) -> None:
    response = httpx.get(f"{without_rasa}/readyz")
    assert response.status_code == 503 and "rasa" in response.json()["detail"]


def test_redis_down_gives_503(without_redis: str) -> None:
    response = post(without_redis, "out-redis", "what are the visiting hours")
    assert response.status_code == 503
    assert "retry-after" in response.headers
    assert httpx.get(f"{without_redis}/readyz").status_code == 503
    assert httpx.delete(f"{without_redis}/api/v1/sessions/x").status_code == 503


def test_redis_down_still_answers_emergencies(without_redis: str) -> None:
    response = post(without_redis, "out-redis-2", "I want to kill myself")
    assert response.status_code == 200
    assert response.json()["route"] == "crisis"
    assert "14416" in response.json()["replies"][0]["text"]


async def test_resent_failed_message_is_answered_once_rasa_is_back(
    without_rasa: str, gateway: str, redis: Redis
) -> None:
    assert post(without_rasa, "out-retry", "what are the visiting hours", "m-9").status_code == 503
    response = post(gateway, "out-retry", "what are the visiting hours", "m-9")
    assert response.status_code == 200 and response.json()["intent"] == "visiting_hours"
    record = await Inbox(redis, 60).get("out-retry", "m-9")
    assert record is not None and record.status == "answered"
