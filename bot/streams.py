"""A Redis Stream used as a work queue with a consumer group (answer jobs, outbound messages).

Consumers take an entry with XREADGROUP and acknowledge it only when its work
is done. A consumer that dies leaves its entry pending; another consumer
reclaims it with XAUTOCLAIM once it has been idle for ``claim_idle_ms``. A
stream or group that vanished (Redis restarted empty, a key deleted) is
recreated rather than crashing the consumer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.redis_client import as_text

STREAM_MAXLEN = 100_000  # approximate cap; acknowledged entries are the old ones


@dataclass(frozen=True, slots=True)
class Entry:
    """One stream entry handed to a consumer."""

    entry_id: str
    payload: bytes
    reclaimed: bool  # taken over from a consumer that stopped acknowledging


class WorkStream:
    """One stream and its consumer group; entries carry a single ``payload`` field."""

    def __init__(self, redis: Redis, stream: str, group: str) -> None:
        self.redis = redis
        self.stream = stream
        self.group = group

    async def ensure_group(self) -> None:
        """Create the stream and consumer group if they do not exist yet."""
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def add(self, payload: str, pipe: Any = None) -> None:
        """Append an entry (inside ``pipe`` when given, to commit with other writes)."""
        target = pipe if pipe is not None else self.redis
        result = target.xadd(
            self.stream, {"payload": payload}, maxlen=STREAM_MAXLEN, approximate=True
        )
        if pipe is None:
            await result

    async def take(self, consumer: str, *, claim_idle_ms: int, block_ms: int) -> Entry | None:
        """Reclaim an entry idle long enough, else wait up to ``block_ms`` for a new one.

        After the group was lost this returns None once; the recreated group
        starts at the first entry, so nothing added meanwhile is skipped.
        """
        try:
            return await self._take(consumer, claim_idle_ms=claim_idle_ms, block_ms=block_ms)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc) and "no longer exists" not in str(exc):
                raise
            await self.ensure_group()
            return None

    async def _take(self, consumer: str, *, claim_idle_ms: int, block_ms: int) -> Entry | None:
        reply: Any = await self.redis.xautoclaim(
            self.stream, self.group, consumer, min_idle_time=claim_idle_ms, start_id="0-0", count=1
        )
        claimed = [entry for entry in reply[1] if entry and entry[1]]  # skip deleted entries
        if claimed:
            entry_id, fields = claimed[0]
            return Entry(as_text(entry_id), fields[b"payload"], True)
        found: Any = await self.redis.xreadgroup(
            self.group, consumer, {self.stream: ">"}, count=1, block=block_ms
        )
        for _stream, entries in found or []:
            for entry_id, fields in entries:
                return Entry(as_text(entry_id), fields[b"payload"], False)
        return None

    async def ack(self, entry_id: str) -> None:
        """Acknowledge an entry whose work is done."""
        await self.redis.xack(self.stream, self.group, entry_id)

    async def pending(self) -> int:
        """Entries delivered to a consumer but not acknowledged yet."""
        await self.ensure_group()
        info = await self.redis.xpending(self.stream, self.group)
        return int(info["pending"])
