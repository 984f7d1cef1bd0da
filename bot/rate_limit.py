"""Per-sender rate limit: a flood from one conversation is refused, politely, once.

A sliding window per session in Redis: a sorted set of the times of the
messages accepted in the last ``window_seconds``, so no stretch of that length
ever lets more than ``limit`` through (a fixed window aligned to the clock lets
twice the limit through across its boundary). The check and the count run as
one Lua script, atomic against concurrent webhooks of the same sender.

Emergencies are never limited: the router checks the limit only after triage
has found nothing urgent. The first refused message of a flood gets a polite
reply; the rest of that window get none, so a runaway script cannot make the
bot spam back.
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

RATE_KEY = "carebot:rate:{}"
REFUSED_KEY = "carebot:rate:{}:refused"

# KEYS: the accepted messages' times, the time of the last polite refusal.
# ARGV: now (s), window (s), limit, a unique member for this message.
# Returns {allowed, first_refusal, retry_after_ms}.
_CHECK = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return {1, 0, 0}
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
local retry_ms = math.max(1, math.ceil((oldest + window - now) * 1000))
-- one polite refusal per window, however long the flood goes on
local since = tonumber(redis.call('GET', KEYS[2]))
local first = since == nil or now - since >= window
if first then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', math.ceil(window * 1000))
end
return {0, first and 1 or 0, retry_ms}
"""


@dataclass(frozen=True, slots=True)
class RateVerdict:
    """Whether a message may go on, and how to refuse it if not."""

    allowed: bool
    first_refusal: bool = False  # the first refused message of this flood: say why once
    retry_after: int = 0  # seconds until the sender may write again


class RateLimited(Exception):
    """A sender exceeded the per-session message rate; nothing was accepted."""

    def __init__(self, verdict: RateVerdict) -> None:
        super().__init__("too many messages from one sender")
        self.verdict = verdict


class RateLimiter:
    """At most ``limit`` messages per session in any ``window_seconds``."""

    def __init__(self, redis: Redis, limit: int, window_seconds: int) -> None:
        self.redis = redis
        self.limit = limit
        self.window = window_seconds
        self._check = redis.register_script(_CHECK)

    async def check(self, session_id: str, now: float | None = None) -> RateVerdict:
        """Count one message from ``session_id`` if it is allowed, and judge it."""
        moment = now if now is not None else time.time()
        # the session id is hashed: a counter should not name the conversation it counts
        sender = hashlib.sha256(session_id.encode()).hexdigest()[:16]
        allowed, first, retry_ms = await self._check(
            keys=[RATE_KEY.format(sender), REFUSED_KEY.format(sender)],
            args=[repr(moment), self.window, self.limit, uuid.uuid4().hex],
        )
        if allowed:
            return RateVerdict(allowed=True)
        return RateVerdict(
            allowed=False, first_refusal=bool(first), retry_after=math.ceil(int(retry_ms) / 1000)
        )
