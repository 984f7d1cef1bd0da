"""Session memory against a real Redis server: TTL, bounded history, forget-me."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.sessions import SessionState, SessionStore, Turn, now


def turn(text: str) -> Turn:
    return Turn(role="patient", text=text, at=now())


async def test_a_saved_session_comes_back_with_its_state(redis: Redis) -> None:
    store = SessionStore(redis, ttl_seconds=60, history_max_turns=10)
    state = SessionState(channel="web", locale="IN", language="hi", opted_out=True)
    await store.save("s1", state, [turn("नमस्ते")])
    assert await store.load("s1") == state
    assert [t.text for t in await store.history("s1")] == ["नमस्ते"]


async def test_unknown_session_is_new(redis: Redis) -> None:
    assert await SessionStore(redis, 60, 10).load("nobody") is None


async def test_session_data_expires_after_the_configured_ttl(redis: Redis) -> None:
    store = SessionStore(redis, ttl_seconds=120, history_max_turns=10)
    await store.save("s2", SessionState(channel="api", locale="IN"), [turn("hi")])
    for key in ("carebot:session:s2", "carebot:history:s2"):
        assert 0 < await redis.ttl(key) <= 120


async def test_session_really_expires(redis: Redis) -> None:
    import asyncio

    store = SessionStore(redis, ttl_seconds=1, history_max_turns=10)
    await store.save("s3", SessionState(channel="api", locale="IN"), [turn("hi")])
    await asyncio.sleep(2.1)
    assert await store.load("s3") is None
    assert await store.history("s3") == []


async def test_history_keeps_only_the_latest_turns(redis: Redis) -> None:
    store = SessionStore(redis, ttl_seconds=60, history_max_turns=3)
    state = SessionState(channel="api", locale="IN")
    for i in range(5):
        await store.save("s4", state, [turn(f"m{i}")])
    assert [t.text for t in await store.history("s4")] == ["m2", "m3", "m4"]


async def test_forget_me_removes_everything_including_rasa_tracker(redis: Redis) -> None:
    store = SessionStore(redis, ttl_seconds=60, history_max_turns=3)
    await store.save("s5", SessionState(channel="api", locale="IN"), [turn("hi")])
    await redis.set("carebot:tracker:s5", "{}")
    await redis.hset("carebot:inbox:s5", "m1", "{}")
    await redis.set("carebot:session:other", "kept")
    assert await store.forget("s5") == 4
    assert await redis.keys("*s5*") == []
    assert await redis.get("carebot:session:other") == b"kept"
