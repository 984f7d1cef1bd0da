"""The sender loop: takes replies from the outbox and sends them through Twilio.

Before each send it checks what a patient and the carrier rules require: an
opted-out patient gets nothing; WhatsApp free-form text only inside the
24-hour window, otherwise the approved template (and the reply is held until
the patient writes again). A long reply goes as several messages split
between sentences. A failed send is retried with doubling delays up to
``send_max_attempts`` and then becomes a staff alert, so no reply is lost
silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import staff_queues
from bot.audit import log_event
from bot.channels.contacts import Contacts
from bot.channels.outbox import Outbox, Outgoing, Taken
from bot.channels.sms_text import split_message
from bot.channels.twilio_rest import SendFailed, TwilioRest
from bot.config import Settings
from bot.sessions import SessionStore

CLAIM_IDLE_MS = 30_000  # a send unacknowledged this long is taken over by another sender
BLOCK_MS = 1000
ERROR_PAUSE_SECONDS = 2.0


class Sender:
    """One consumer of the outbox."""

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        rest: TwilioRest,
        *,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.redis = redis
        self.rest = rest
        self.outbox = Outbox(redis, settings.session_ttl_seconds)
        self.contacts = Contacts(redis, settings.session_ttl_seconds)
        self.sessions = SessionStore(
            redis, settings.session_ttl_seconds, settings.history_max_turns
        )
        self.name = name or f"sender-{socket.gethostname()}-{os.getpid()}"

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set, riding out Redis outages and unexpected errors."""
        while not stop.is_set():
            try:
                await self.step()
            except Exception as exc:  # the loop must outlive any one failure
                # a reply taken but not finished stays pending and is reclaimed
                level = logging.WARNING if isinstance(exc, RedisError) else logging.ERROR
                log_event("sender_error", level=level, error=type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), ERROR_PAUSE_SECONDS)

    async def step(self, block_ms: int = BLOCK_MS) -> bool:
        """Send one reply if one is due; True if one was handled."""
        await self.outbox.promote_due()
        taken = await self.outbox.take(self.name, claim_idle_ms=CLAIM_IDLE_MS, block_ms=block_ms)
        if taken is None:
            return False
        await self._deliver(taken)
        return True

    async def _deliver(self, taken: Taken) -> None:
        item = taken.item
        session = await self.sessions.load(item.session_id)
        if session is not None and session.opted_out:
            log_event("send_suppressed", session_id=item.session_id, reason="opted_out")
            await self.outbox.done(taken)
            return
        to = await self.contacts.address(item.session_id)
        if to is None:  # the session expired or was forgotten: nobody to send to
            log_event("send_dropped", session_id=item.session_id, reason="no_address")
            await self.outbox.done(taken)
            return
        if item.channel == "whatsapp" and not await self.contacts.window_open(item.session_id):
            await self._outside_window(taken, to)
            return
        sender = (
            self.settings.twilio_whatsapp_from
            if item.channel == "whatsapp"
            else self.settings.twilio_sms_from
        ) or ""
        parts = split_message(item.text, self.settings.sms_max_chars)
        for number in range(item.parts_sent, len(parts)):
            try:
                sent = await self.rest.send(to=to, sender=sender, body=parts[number])
            except SendFailed as exc:
                await self._failed(taken, item.model_copy(update={"parts_sent": number}), exc)
                return
            await self.outbox.record_sent(sent.sid, item, sent.status)
        log_event(
            "sent",
            session_id=item.session_id,
            channel=item.channel,
            parts=len(parts),
            attempt=item.attempt + 1,
        )
        await self.outbox.done(taken)

    async def _outside_window(self, taken: Taken, to: str) -> None:
        """WhatsApp allows only an approved template now; hold the reply for later."""
        item = taken.item
        template = self.settings.twilio_whatsapp_template_sid
        if template is None:
            await self._give_up(taken, "whatsapp_window_closed")
            return
        try:
            sent = await self.rest.send(
                to=to, sender=self.settings.twilio_whatsapp_from or "", content_sid=template
            )
        except SendFailed as exc:
            await self._failed(taken, item, exc)
            return
        await self.outbox.record_sent(sent.sid, item, sent.status)
        await self.outbox.hold(item.model_copy(update={"attempt": 0}))
        log_event("sent_template", session_id=item.session_id, channel=item.channel)
        await self.outbox.done(taken)

    async def _failed(self, taken: Taken, item: Outgoing, exc: SendFailed) -> None:
        attempt = item.attempt + 1
        if exc.retryable and attempt < self.settings.send_max_attempts:
            delay = self.settings.send_retry_seconds * 2 ** (attempt - 1)
            log_event(
                "send_retry",
                session_id=item.session_id,
                level=logging.WARNING,
                attempt=attempt,
                delay_s=delay,
                error=str(exc),
            )
            await self.outbox.retry_later(
                taken, item.model_copy(update={"attempt": attempt}), delay
            )
            return
        await self._give_up(taken, str(exc))

    async def _give_up(self, taken: Taken, reason: str) -> None:
        """Tell staff the patient did not get a reply (they can call), and stop trying."""
        item = taken.item
        await staff_queues.report_undelivered(
            self.redis,
            session_id=item.session_id,
            channel=item.channel,
            reason=reason,
            text=item.text,
        )
        log_event(
            "send_failed",
            session_id=item.session_id,
            level=logging.ERROR,
            channel=item.channel,
            reason=reason,
        )
        await self.outbox.done(taken)
