"""Replies waiting to be sent to SMS and WhatsApp patients: durable, retried, recorded.

A reply that cannot go back inline in the webhook's TwiML (a knowledge answer
written later) is added here. Senders take entries from a Redis Stream with a
consumer group, so a sender that dies mid-send leaves the entry to be
reclaimed. A failed send is parked in a sorted set until its retry time and
then put back on the stream. Every message Twilio accepts gets a delivery
record that its status callbacks update.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from bot.messages import FrozenModel
from bot.redis_client import as_text
from bot.streams import WorkStream

OUTBOX_STREAM = "carebot:outbox"
GROUP = "senders"
RETRY_KEY = "carebot:outbox:retry"  # sorted set: entry JSON scored by its retry time
QUEUED_KEY = "carebot:outbox:queued:{}"  # a reply is queued once, however often it is added
HELD_KEY = "carebot:outbox:held:{}"  # WhatsApp replies kept until the patient writes again
DELIVERY_KEY = "carebot:delivery:{}"  # by Twilio message SID
PROMOTE_BATCH = 50

PhoneChannel = Literal["sms", "whatsapp"]


class Outgoing(FrozenModel):
    """One reply to send, and how far sending it got."""

    ref: str  # unique per reply: the answer job, or the inbound message it answers
    session_id: str
    channel: PhoneChannel
    text: str
    attempt: int = 0  # failed tries so far
    parts_sent: int = 0  # parts of a long reply already accepted by Twilio


@dataclass(frozen=True, slots=True)
class Taken:
    """An outbox entry handed to a sender."""

    entry_id: str
    item: Outgoing


class Outbox:
    """The queue of outbound replies and the delivery records."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        self.stream = WorkStream(redis, OUTBOX_STREAM, GROUP)

    async def add(self, item: Outgoing) -> bool:
        """Queue a reply unless it was queued before; True if queued now."""
        if not await self.redis.set(QUEUED_KEY.format(item.ref), "1", nx=True, ex=self.ttl):
            return False
        await self.stream.ensure_group()
        await self.stream.add(item.model_dump_json())
        return True

    async def take(self, consumer: str, *, claim_idle_ms: int, block_ms: int) -> Taken | None:
        """The next reply to send (a dead sender's first), waiting up to ``block_ms``."""
        entry = await self.stream.take(consumer, claim_idle_ms=claim_idle_ms, block_ms=block_ms)
        if entry is None:
            return None
        return Taken(entry.entry_id, Outgoing.model_validate_json(entry.payload))

    async def done(self, taken: Taken) -> None:
        """The reply was sent, or given up on."""
        await self.stream.ack(taken.entry_id)

    async def retry_later(self, taken: Taken, item: Outgoing, delay_seconds: float) -> None:
        """Park the reply (with its progress) until ``delay_seconds`` from now."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(RETRY_KEY, {item.model_dump_json(): time.time() + delay_seconds})
            pipe.xack(OUTBOX_STREAM, GROUP, taken.entry_id)
            await pipe.execute()

    async def promote_due(self, now: float | None = None) -> int:
        """Put replies whose retry time has come back on the stream; returns how many."""
        due: Any = await self.redis.zrangebyscore(
            RETRY_KEY, 0, now or time.time(), start=0, num=PROMOTE_BATCH
        )
        moved = 0
        for raw in due:
            # only the sender whose ZREM succeeds re-queues it, so two senders never both do
            if await self.redis.zrem(RETRY_KEY, raw):
                await self.stream.ensure_group()
                await self.stream.add(as_text(raw))
                moved += 1
        return moved

    async def hold(self, item: Outgoing) -> None:
        """Keep a WhatsApp reply until the patient opens a new 24-hour window."""
        key = HELD_KEY.format(item.session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, item.model_dump_json())
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def release_held(self, session_id: str) -> int:
        """Queue the replies held for a session (it wrote again); returns how many."""
        key = HELD_KEY.format(session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            held, _ = await pipe.execute()
        for raw in held:
            await self.stream.ensure_group()
            await self.stream.add(as_text(raw))
        return len(held)

    async def record_sent(self, sid: str, item: Outgoing, status: str) -> None:
        """Start the delivery record of a message Twilio accepted."""
        key = DELIVERY_KEY.format(sid)
        fields: Any = {
            "session_id": item.session_id,
            "channel": item.channel,
            "ref": item.ref,
            "status": status,
            "updated": f"{time.time():.3f}",
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def record_status(self, sid: str, status: str, error_code: str) -> dict[str, str]:
        """Update a delivery record from a status callback; returns the record."""
        key = DELIVERY_KEY.format(sid)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={"status": status, "error": error_code, "updated": f"{time.time():.3f}"},
            )
            pipe.expire(key, self.ttl)
            pipe.hgetall(key)
            *_, record = await pipe.execute()
        return {as_text(k): as_text(v) for k, v in record.items()}

    async def delivery(self, sid: str) -> dict[str, str]:
        """A message's delivery record (empty if unknown or expired)."""
        record = await self.redis.hgetall(DELIVERY_KEY.format(sid))
        return {as_text(k): as_text(v) for k, v in record.items()}
