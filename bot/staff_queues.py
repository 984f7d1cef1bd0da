"""Where the bot leaves work for hospital staff: alerts, handoffs and front-desk requests.

Each is a Redis Stream the staff console reads (a later issue). Streams are
capped so a flood cannot grow Redis without bound; entries carry the session
id so staff can find the conversation, never a log line with patient text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from redis.asyncio import Redis

ALERTS_STREAM = "carebot:staff:alerts"
HANDOFFS_STREAM = "carebot:staff:handoffs"
REQUESTS_STREAM = "carebot:staff:requests"
STREAM_MAXLEN = 100_000


async def _append(redis: Redis, stream: str, fields: Mapping[str, str]) -> str:
    entry = {**fields, "at": f"{time.time():.3f}"}
    entry_id = await redis.xadd(stream, entry, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


async def raise_alert(
    redis: Redis,
    *,
    session_id: str,
    channel: str,
    category: str,
    rules: tuple[str, ...],
    language: str,
    text: str,
) -> str:
    """Tell staff that a patient may be in an emergency or crisis; returns the entry id."""
    return await _append(
        redis,
        ALERTS_STREAM,
        {
            "session_id": session_id,
            "channel": channel,
            "category": category,
            "rules": ",".join(rules),
            "language": language,
            "text": text,
        },
    )


async def record_handoff(redis: Redis, *, session_id: str, channel: str, text: str) -> str:
    """Ask staff to take over a conversation, or pass them a message in one."""
    return await _append(
        redis, HANDOFFS_STREAM, {"session_id": session_id, "channel": channel, "text": text}
    )


async def record_request(
    redis: Redis, *, session_id: str, kind: str, fields: Mapping[str, str]
) -> str:
    """Record a front-desk request (appointment, change, cancellation, refill)."""
    return await _append(
        redis,
        REQUESTS_STREAM,
        {
            "session_id": session_id,
            "kind": kind,
            "fields": json.dumps(dict(fields), ensure_ascii=False),
        },
    )


async def report_undelivered(
    redis: Redis, *, session_id: str, channel: str, reason: str, text: str
) -> str:
    """Tell staff that a reply could not be delivered to a patient (they may call instead)."""
    return await raise_alert(
        redis,
        session_id=session_id,
        channel=channel,
        category="undelivered",
        rules=(reason,),
        language="",
        text=text,
    )
