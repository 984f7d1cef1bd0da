"""The action server's connection to Redis, for recording front-desk requests."""

from __future__ import annotations

import os
from collections.abc import Mapping

from redis.asyncio import Redis

from bot.redis_client import connect_redis
from bot.staff_queues import record_request

_redis: Redis | None = None


def _client() -> Redis:
    global _redis
    if _redis is None:
        url = os.environ.get("CAREBOT_REDIS_URL")
        if not url:
            raise RuntimeError("CAREBOT_REDIS_URL is not set for the action server")
        _redis = connect_redis(url)
    return _redis


async def save_request(*, session_id: str, kind: str, fields: Mapping[str, str]) -> str:
    """Record a confirmed front-desk request for staff; returns the stream entry id."""
    return await record_request(_client(), session_id=session_id, kind=kind, fields=fields)
