"""Per-sender rate limit: a flood from one conversation is refused, politely, once.

A fixed window per session in Redis (INCR with expiry). Emergencies are never
limited: the router checks the limit only after triage has found nothing
urgent. The first refused message of a window gets a polite reply; the rest
of that window get none, so a runaway script cannot make the bot spam back.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from redis.asyncio import Redis

RATE_KEY = "carebot:rate:{}:{}"


@dataclass(frozen=True, slots=True)
class RateVerdict:
    """Whether a message may go on, and how to refuse it if not."""

    allowed: bool
    first_refusal: bool = False  # the first refused message of this window: say why once
    retry_after: int = 0  # seconds until the window ends


class RateLimited(Exception):
    """A sender exceeded the per-session message rate; nothing was accepted."""

    def __init__(self, verdict: RateVerdict) -> None:
        super().__init__("too many messages from one sender")
        self.verdict = verdict


class RateLimiter:
    """At most ``limit`` messages per session per ``window_seconds``."""

    def __init__(self, redis: Redis, limit: int, window_seconds: int) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window_seconds

    async def check(self, session_id: str, now: float | None = None) -> RateVerdict:
        """Count one message from ``session_id`` and judge it."""
        moment = now if now is not None else time.time()
        window = int(moment // self.window)
        # the session id is hashed: a counter should not name the conversation it counts
        key = RATE_KEY.format(hashlib.sha256(session_id.encode()).hexdigest()[:16], window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window + 1)
            count, _ = await pipe.execute()
        if count <= self.limit:
            return RateVerdict(allowed=True)
        retry_after = max(1, int((window + 1) * self.window - moment))
        return RateVerdict(
            allowed=False, first_refusal=count == self.limit + 1, retry_after=retry_after
        )
