"""The per-sender rate limit against a real Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.rate_limit import RateLimiter


async def test_a_flood_is_refused_and_told_why_only_once(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=3, window_seconds=60)
    verdicts = [await limiter.check("s-flood", now=1000.0 + t) for t in (0, 10, 20, 30, 31, 32)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert [v.first_refusal for v in verdicts[3:]] == [True, False, False]
    # the first message leaves the window at 1060
    assert [v.retry_after for v in verdicts[3:]] == [30, 29, 28]


async def test_no_burst_gets_through_across_a_window_boundary(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=3, window_seconds=60)
    late = [await limiter.check("s-edge", now=119.0) for _ in range(3)]
    assert all(v.allowed for v in late)
    # a clock-aligned window would start afresh at 120 and let three more through
    assert not (await limiter.check("s-edge", now=121.0)).allowed
    assert not (await limiter.check("s-edge", now=178.5)).allowed
    assert (await limiter.check("s-edge", now=179.5)).allowed


async def test_a_long_flood_gets_one_polite_refusal_per_window(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=2, window_seconds=60)
    verdicts = [await limiter.check("s-bot", now=float(t)) for t in range(0, 180, 5)]
    assert sum(v.allowed for v in verdicts) == 6  # two in each minute
    assert sum(v.first_refusal for v in verdicts) == 3


async def test_senders_are_counted_apart(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=1, window_seconds=60)
    assert (await limiter.check("s-a", now=60.0)).allowed
    assert not (await limiter.check("s-a", now=61.0)).allowed
    assert (await limiter.check("s-b", now=61.0)).allowed
    assert (await limiter.check("s-a", now=121.0)).allowed


async def test_counters_expire_and_do_not_name_the_conversation(redis: Redis) -> None:
    limiter = RateLimiter(redis, limit=5, window_seconds=60)
    await limiter.check("s-ttl")
    [key] = await redis.keys("carebot:rate:*")
    assert b"s-ttl" not in key
    assert 0 < await redis.ttl(key) <= 60
