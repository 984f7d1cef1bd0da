"""The per-sender rate limit against a real Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.rate_limit import RateLimiter


async def test_a_flood_is_refused_and_told_why_only_once(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=3, window_seconds=60)
    moment = 60 * 16_667 + 20.0  # 20 s into a window
    verdicts = [await limiter.check("s-flood", now=moment) for _ in range(6)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert [v.first_refusal for v in verdicts[3:]] == [True, False, False]
    assert verdicts[3].retry_after == 40


async def test_the_next_window_starts_afresh_and_senders_are_counted_apart(
    redis: Redis,
) -> None:
    limiter = RateLimiter(redis, limit=1, window_seconds=60)
    assert (await limiter.check("s-a", now=60.0)).allowed
    assert not (await limiter.check("s-a", now=61.0)).allowed
    assert (await limiter.check("s-b", now=61.0)).allowed
    assert (await limiter.check("s-a", now=121.0)).allowed


async def test_counters_expire_with_their_window(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=5, window_seconds=60)
    await limiter.check("s-ttl")
    [key] = await redis.keys("carebot:rate:*")
    assert b"s-ttl" not in key  # counters do not name the conversation
    assert 0 < await redis.ttl(key) <= 61
