"""Twilio webhooks: SMS and WhatsApp messages in, TwiML or REST replies out, delivery status.

Each webhook, in order: refuses a body that is too large or not a form (413,
415), checks ``X-Twilio-Signature`` against the configured public URL (403,
nothing processed), requires Twilio's fields (400), drops a replayed
``MessageSid`` (empty reply, no second answer), then hands the text to the
router. Instant replies (triage, scripted, HELP/STOP) go back inline as TwiML;
a knowledge answer still being written is acknowledged with an empty
``<Response/>`` and sent through Twilio's REST API by the sender loop
(``bot/channels/sender.py``) when the worker has written it.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from redis.asyncio import Redis
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot import staff_queues
from bot.audit import log_event
from bot.channels.contacts import Contacts, session_for
from bot.channels.outbox import Outbox
from bot.channels.sms_text import split_message
from bot.config import Settings
from bot.content import Content
from bot.dialogue import DialogueUnavailable
from bot.messages import Channel, InboundMessage, Language, Outcome, Reply, Route
from bot.rate_limit import RateLimited
from bot.router import RedisUnavailable, Router
from bot.sessions import SessionState, Turn, now

MAX_FORM_BYTES = 16 * 1024  # Twilio's message webhooks are a few KB at most
SEEN_KEY = "carebot:twilio:seen:{}"
SEEN_TTL_SECONDS = 7 * 24 * 3600  # Twilio retries within minutes; a week is ample
FAILED_STATUSES = frozenset({"failed", "undelivered"})
WHATSAPP_PREFIX = "whatsapp:"

twilio_api = APIRouter(prefix="/channels/twilio", tags=["twilio"])


class TwilioChannel:
    """What the webhooks need: settings, the router, and the validator for signatures."""

    def __init__(self, settings: Settings, router: Router, content: Content) -> None:
        if settings.twilio_auth_token is None or not settings.public_url:
            raise ValueError("Twilio needs CAREBOT_TWILIO_AUTH_TOKEN and CAREBOT_PUBLIC_URL")
        self.settings = settings
        self.router = router
        self.content = content
        self.redis: Redis = router.redis
        self.validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
        self.public_url = settings.public_url.rstrip("/")
        self.contacts = Contacts(router.redis, settings.session_ttl_seconds)
        self.outbox = Outbox(router.redis, settings.session_ttl_seconds)

    def public_address(self, request: Request) -> str:
        """The URL Twilio signed: the configured public base, this path and query."""
        query = f"?{request.url.query}" if request.url.query else ""
        return f"{self.public_url}{request.url.path}{query}"


def get_channel(request: Request) -> TwilioChannel:
    channel: TwilioChannel | None = getattr(request.app.state, "twilio", None)
    if channel is None:
        raise HTTPException(404, "the Twilio channel is not configured")
    return channel


ChannelDep = Annotated[TwilioChannel, Depends(get_channel)]


async def signed_form(request: Request, channel: TwilioChannel) -> dict[str, str]:
    """The webhook's form fields, once its size, type and signature are checked."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise HTTPException(415, "expected an application/x-www-form-urlencoded body")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        raise HTTPException(413, f"body larger than {MAX_FORM_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, f"body larger than {MAX_FORM_BYTES} bytes")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "malformed form body") from None
    form = dict(pairs)
    signature = request.headers.get("x-twilio-signature", "")
    if not signature or not channel.validator.validate(
        channel.public_address(request), form, signature
    ):
        log_event("twilio_forged", level=logging.WARNING, path=request.url.path)
        raise HTTPException(403, "invalid Twilio signature")
    return form


def _require(form: dict[str, str], *names: str) -> None:
    missing = [n for n in names if not form.get(n)]
    if missing:
        raise HTTPException(400, f"missing field(s): {', '.join(missing)}")


def twiml(replies: list[Reply], max_chars: int) -> Response:
    """Inline replies as TwiML, each split into messages that fit."""
    response = MessagingResponse()
    for reply in replies:
        for part in split_message(as_text_message(reply), max_chars):
            response.message(part)
    return Response(str(response), media_type="application/xml")


def as_text_message(reply: Reply) -> str:
    """A reply as plain text: quick-reply buttons become lines to type back."""
    if not reply.buttons:
        return reply.text
    options = "\n".join(f"- {b.title}" for b in reply.buttons)
    return f"{reply.text}\n{options}"


async def _handle(request: Request, channel: TwilioChannel, kind: Channel) -> Response:
    form = await signed_form(request, channel)
    _require(form, "MessageSid", "From")
    sid = form["MessageSid"]
    address = form["From"]
    if kind == "whatsapp" and not address.startswith(WHATSAPP_PREFIX):
        raise HTTPException(400, "a WhatsApp sender starts with 'whatsapp:'")
    # A replayed webhook (Twilio retries, or a forwarder sends twice) is answered once only.
    if not await channel.redis.set(SEEN_KEY.format(sid), "1", nx=True, ex=SEEN_TTL_SECONDS):
        log_event("twilio_replay", channel=kind)
        return twiml([], channel.settings.sms_max_chars)
    session_id = session_for(kind, address)
    await channel.contacts.heard_from(session_id, address)
    if kind == "whatsapp":
        # the patient wrote, so WhatsApp's window is open again: send what was held
        await channel.outbox.release_held(session_id)
    text = form.get("Body", "").strip()
    media_count = form.get("NumMedia", "0")
    media = int(media_count) if media_count.isdigit() else 0
    replies: list[Reply] = []
    session = await channel.router.sessions.load(session_id)
    language: Language = session.language if session is not None else "en"
    if media:
        # recorded in the conversation (staff see that something was sent), never opened
        kinds = sorted({form.get(f"MediaContentType{n}", "unknown") for n in range(media)})
        log_event("media_received", session_id=session_id, channel=kind, count=media)
        state = session or SessionState(channel=kind, locale=channel.settings.locale)
        unread = f"[{media} attachment(s) not read: {', '.join(kinds)}]"
        turns = [Turn(role="patient", text=unread, at=now())]
        if not state.opted_out:
            reply = channel.content.reply("media_unsupported", language, channel.settings.locale)
            replies.append(reply)
            turns.append(Turn(role="bot", text=reply.text, route=Route.FALLBACK.value, at=now()))
        await channel.router.sessions.save(session_id, state, turns)
    if text:
        # Twilio is acknowledged at once; a knowledge answer is sent when written
        message = InboundMessage(
            session_id=session_id,
            text=text,
            channel=kind,
            message_id=sid,
            answer_wait_seconds=0.0,
        )
        try:
            outcome = (await channel.router.handle(message)).outcome
        except RateLimited as exc:
            # one polite reply per window; the rest of a flood gets nothing back
            outcome = Outcome(route=Route.FALLBACK)
            if exc.verdict.first_refusal:
                reply = channel.content.reply("rate_limited", language, channel.settings.locale)
                outcome = Outcome(route=Route.FALLBACK, replies=(reply,))
        except (DialogueUnavailable, RedisUnavailable) as exc:
            # the patient hears that we cannot answer now, never silence
            log_event("twilio_unavailable", session_id=session_id, error=type(exc).__name__)
            outcome = Outcome(
                route=Route.FALLBACK,
                replies=(channel.content.reply("unavailable", language, channel.settings.locale),),
            )
        if not outcome.pending:
            replies.extend(outcome.replies)
    elif not media:
        raise HTTPException(400, "an empty message (no Body, no media)")
    return twiml(replies, channel.settings.sms_max_chars)


@twilio_api.post("/sms", response_class=Response)
async def sms_webhook(request: Request, channel: ChannelDep) -> Response:
    """An SMS from a patient (Twilio's messaging webhook)."""
    return await _handle(request, channel, "sms")


@twilio_api.post("/whatsapp", response_class=Response)
async def whatsapp_webhook(request: Request, channel: ChannelDep) -> Response:
    """A WhatsApp message from a patient (Twilio's messaging webhook)."""
    return await _handle(request, channel, "whatsapp")


@twilio_api.post("/status", status_code=204)
async def status_callback(request: Request, channel: ChannelDep) -> Response:
    """Twilio's delivery status for a message we sent; a failed one alerts staff."""
    form = await signed_form(request, channel)
    _require(form, "MessageSid", "MessageStatus")
    record = await channel.outbox.record_status(
        form["MessageSid"], form["MessageStatus"], form.get("ErrorCode", "")
    )
    if form["MessageStatus"] in FAILED_STATUSES and record.get("session_id"):
        await staff_queues.report_undelivered(
            channel.redis,
            session_id=record["session_id"],
            channel=record.get("channel", ""),
            reason=f"twilio_{form['MessageStatus']}:{form.get('ErrorCode', '')}",
            text="",
        )
    return Response(status_code=204)
