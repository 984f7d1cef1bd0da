"""Who a phone-channel session belongs to, and whether WhatsApp's 24-hour window is open.

A session id for SMS or WhatsApp is a hash of the channel and the number, so
neither Rasa's sender id nor any Redis key carries the phone number. The
number itself is kept only in this record (to send replies later), which
expires with the session.
"""

from __future__ import annotations

import hashlib
import time

from redis.asyncio import Redis

from bot.messages import Channel

CONTACT_KEY = "carebot:contact:{}"
WHATSAPP_WINDOW_SECONDS = 24 * 3600  # free-form messages only this long after the patient's last


def session_for(channel: Channel, address: str) -> str:
    """The session id of a patient's number on a channel."""
    digest = hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()[:24]
    return f"{channel}-{digest}"


class Contacts:
    """Phone numbers of phone-channel sessions, and when each patient last wrote."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        # kept at least as long as the WhatsApp window it answers for
        self.ttl = max(ttl_seconds, WHATSAPP_WINDOW_SECONDS)

    async def heard_from(self, session_id: str, address: str, at: float | None = None) -> None:
        """Record an inbound message: the number to answer, and when it wrote."""
        key = CONTACT_KEY.format(session_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"address": address, "last_inbound": f"{at or time.time():.3f}"})
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def address(self, session_id: str) -> str | None:
        """The number to send a session's replies to, if still known."""
        raw = await self.redis.hget(CONTACT_KEY.format(session_id), "address")
        return raw.decode() if isinstance(raw, bytes) else raw

    async def window_open(self, session_id: str, now: float | None = None) -> bool:
        """Whether a free-form WhatsApp message may be sent (patient wrote in the last 24 h)."""
        raw = await self.redis.hget(CONTACT_KEY.format(session_id), "last_inbound")
        if raw is None:
            return False
        return (now or time.time()) - float(raw) < WHATSAPP_WINDOW_SECONDS

    async def forget(self, session_id: str) -> None:
        """Delete the number (forget-me)."""
        await self.redis.delete(CONTACT_KEY.format(session_id))
