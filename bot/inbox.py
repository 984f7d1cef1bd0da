"""Every accepted message is stored before it is processed, with its outcome after.

A message is written to Redis as ``received`` before the router sees it, then
marked ``answered`` with the outcome, or ``failed`` when a dependency was down
(the caller was told with a 503 and may resend the same ``message_id``). A
resent ``message_id`` that was already answered returns the stored outcome
instead of running twice, so retries are safe.
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel
from redis.asyncio import Redis

from bot.messages import InboundMessage, Outcome
from bot.sessions import INBOX_KEY

Status = Literal["received", "answered", "failed"]


class InboxRecord(BaseModel):
    """One accepted message and what became of it."""

    message: InboundMessage
    status: Status
    received_at: float
    outcome: Outcome | None = None


class Inbox:
    """Stores messages by session, expiring with the session."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    async def get(self, session_id: str, message_id: str) -> InboxRecord | None:
        """The stored record of a message, if it was accepted before."""
        raw = await self.redis.hget(INBOX_KEY.format(session_id), message_id)
        return InboxRecord.model_validate_json(raw) if raw else None

    async def accept(self, message: InboundMessage) -> InboxRecord:
        """Store a new message as received, before anything else happens to it."""
        record = InboxRecord(message=message, status="received", received_at=time.time())
        await self._put(record)
        return record

    async def finish(
        self, record: InboxRecord, status: Status, outcome: Outcome | None = None
    ) -> None:
        """Mark a message answered (with its outcome) or failed."""
        await self._put(record.model_copy(update={"status": status, "outcome": outcome}))

    async def _put(self, record: InboxRecord) -> None:
        key = INBOX_KEY.format(record.message.session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, record.message.message_id, record.model_dump_json())
            pipe.expire(key, self.ttl)
            await pipe.execute()
