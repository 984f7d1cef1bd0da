"""Session memory in Redis: state, bounded history, TTL, and forget-me.

Keys (all expire ``session_ttl_seconds`` after the last message):

* ``carebot:session:{id}``  hash: channel, locale, language, opted_out, handoff_until
* ``carebot:history:{id}``  list of JSON turns, newest last, capped
* ``carebot:inbox:{id}``    hash message_id → each accepted message and its
  outcome (see :mod:`bot.inbox`)

Rasa keeps its tracker and lock in the same Redis under ``carebot:tracker:{id}``
and ``carebot:lock:{id}``; forget-me removes those too.
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel
from redis.asyncio import Redis

from bot.channels.contacts import CONTACT_KEY
from bot.messages import Channel, Language
from bot.redis_client import as_text

SESSION_KEY = "carebot:session:{}"
HISTORY_KEY = "carebot:history:{}"
# Rasa's RedisTrackerStore and RedisLockStore with key_prefix "carebot"
RASA_KEYS = ("carebot:tracker:{}", "carebot:lock:{}")
INBOX_KEY = "carebot:inbox:{}"


class SessionState(BaseModel):
    """What carebot remembers about one conversation."""

    channel: Channel
    locale: str
    language: Language = "en"
    opted_out: bool = False
    handoff_until: float = 0.0  # staff own the conversation until this Unix time
    form: str | None = None  # the Rasa form collecting details, if one is active

    @property
    def in_handoff(self) -> bool:
        """True while staff own the conversation and the bot stays silent."""
        return self.handoff_until > time.time()


class Turn(BaseModel):
    """One line of conversation history."""

    role: Literal["patient", "bot"]
    text: str
    route: str | None = None
    at: float


class SessionStore:
    """Reads and writes sessions; every write renews the session's TTL."""

    def __init__(self, redis: Redis, ttl_seconds: int, history_max_turns: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self.history_max = history_max_turns

    async def load(self, session_id: str) -> SessionState | None:
        """The session's state, or None if it is new or has expired."""
        raw = await self.redis.hgetall(SESSION_KEY.format(session_id))
        if not raw:
            return None
        fields = {as_text(k): as_text(v) for k, v in raw.items()}
        return SessionState.model_validate(
            {
                **fields,
                "opted_out": fields.get("opted_out") == "1",
            }
        )

    async def save(self, session_id: str, state: SessionState, turns: list[Turn]) -> None:
        """Store the state and append turns to the history, in one round trip."""
        key, history = SESSION_KEY.format(session_id), HISTORY_KEY.format(session_id)
        fields = [
            "channel",
            state.channel,
            "locale",
            state.locale,
            "language",
            state.language,
            "opted_out",
            "1" if state.opted_out else "0",
            "handoff_until",
            f"{state.handoff_until:.3f}",
        ]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, items=fields)
            pipe.expire(key, self.ttl)
            if turns:
                pipe.rpush(history, *(t.model_dump_json() for t in turns))
                pipe.ltrim(history, -self.history_max, -1)
                pipe.expire(history, self.ttl)
            await pipe.execute()

    async def append(self, session_id: str, turns: list[Turn]) -> None:
        """Append turns to an existing session's history without touching its state.

        Used by answer workers; a forgotten or expired session stays forgotten.
        """
        history = HISTORY_KEY.format(session_id)
        if not turns or not await self.redis.exists(SESSION_KEY.format(session_id)):
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(history, *(t.model_dump_json() for t in turns))
            pipe.ltrim(history, -self.history_max, -1)
            pipe.expire(history, self.ttl)
            await pipe.execute()

    async def history(self, session_id: str) -> list[Turn]:
        """The remembered turns, oldest first."""
        raw = await self.redis.lrange(HISTORY_KEY.format(session_id), 0, -1)
        return [Turn.model_validate_json(item) for item in raw]

    async def forget(self, session_id: str) -> int:
        """Delete everything stored about a session, Rasa's tracker included.

        Returns the number of keys removed.
        """
        keys = [
            k.format(session_id)
            for k in (SESSION_KEY, HISTORY_KEY, INBOX_KEY, CONTACT_KEY, *RASA_KEYS)
        ]
        return int(await self.redis.delete(*keys))


def now() -> float:
    """Wall-clock seconds, for history timestamps."""
    return time.time()
