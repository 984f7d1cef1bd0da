"""Twilio SMS and WhatsApp over real HTTP: signed webhooks in, TwiML or REST replies out.

The gateway runs with the real stack (Redis, Rasa, an answer worker) and sends
through the real Twilio SDK to a local fake of Twilio's REST API, so these
tests see the exact form fields Twilio would receive.
"""

from __future__ import annotations

import asyncio
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import httpx
import pytest
from redis.asyncio import Redis
from twilio.request_validator import RequestValidator

from bot.channels.contacts import CONTACT_KEY, Contacts, session_for
from bot.channels.outbox import Outbox, Outgoing
from bot.sessions import SessionState, SessionStore
from tests.channels.fake_twilio import (
    HOSPITAL_SMS,
    PATIENT_SMS,
    PUBLIC_URL,
    TWILIO_AUTH_TOKEN,
    WHATSAPP_TEMPLATE,
    FakeTwilio,
)

pytestmark = pytest.mark.slow
SMS = "/channels/twilio/sms"
WHATSAPP = "/channels/twilio/whatsapp"
STATUS = "/channels/twilio/status"


def signature(path: str, fields: Mapping[str, str], base: str = PUBLIC_URL) -> str:
    return str(RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(base + path, dict(fields)))


async def post(
    client: httpx.AsyncClient,
    path: str,
    fields: Mapping[str, str],
    *,
    signed_for: str = PUBLIC_URL,
) -> httpx.Response:
    """POST a form as Twilio does, signed for the given public base URL."""
    return await client.post(
        path,
        data=dict(fields),
        headers={"X-Twilio-Signature": signature(path, fields, signed_for)},
    )


def inbound(text: str, sender: str = PATIENT_SMS, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": HOSPITAL_SMS,
        "Body": text,
        "NumMedia": "0",
        **extra,
    }


def messages(response: httpx.Response) -> list[str]:
    """The texts of a TwiML reply's <Message> elements."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


async def sent_to(fake: FakeTwilio, to: str, count: int = 1, within: float = 30) -> list[dict]:
    """Wait until the fake has received ``count`` messages for ``to``."""
    deadline = time.monotonic() + within
    while True:
        found = [m for m in fake.sent if m.get("To") == to]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"only {len(found)} message(s) sent to {to}"
        await asyncio.sleep(0.05)


async def queue_reply(redis: Redis, number: str, text: str) -> str:
    """Queue a late SMS reply for a patient who wrote just now; returns the session id."""
    session = session_for("sms", number)
    await Contacts(redis, 3600).heard_from(session, number)
    await Outbox(redis, 3600).add(
        Outgoing(ref=uuid.uuid4().hex, session_id=session, channel="sms", text=text)
    )
    return session


@pytest.fixture
async def fake(fake_twilio: FakeTwilio, redis: Redis, gateway: str) -> FakeTwilio:
    """The fake Twilio, emptied, with the gateway (and its sender loop) running."""
    fake_twilio.sent.clear()
    fake_twilio.failures.clear()
    return fake_twilio


def patient() -> str:
    """A fresh fictional number (555-01xx) per test, so tests never share a session."""
    return f"+1555555{uuid.uuid4().int % 10_000:04d}"


async def test_a_scripted_question_is_answered_inline(
    client: httpx.AsyncClient, fake: FakeTwilio
) -> None:
    response = await post(client, SMS, inbound("what time does the OPD open?", patient()))
    [text] = messages(response)
    assert "9:00 am" in text
    assert fake.sent == []  # inline TwiML, no REST call


async def test_a_missing_or_forged_signature_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    number = patient()
    fields = inbound("what time does the OPD open?", number)
    unsigned = await client.post(SMS, data=fields)
    assert unsigned.status_code == 403
    forged = await client.post(SMS, data=fields, headers={"X-Twilio-Signature": "bm90IGl0"})
    assert forged.status_code == 403
    tampered = dict(fields, Body="something else")
    response = await client.post(
        SMS, data=tampered, headers={"X-Twilio-Signature": signature(SMS, fields)}
    )
    assert response.status_code == 403
    assert not await redis.exists(CONTACT_KEY.format(session_for("sms", number)))


async def test_the_signature_is_checked_against_the_public_url_not_the_request_host(
    client: httpx.AsyncClient,
) -> None:
    fields = inbound("hello", patient())
    response = await post(client, SMS, fields, signed_for=str(client.base_url).rstrip("/"))
    assert response.status_code == 403


async def test_a_replayed_message_is_answered_once(client: httpx.AsyncClient) -> None:
    fields = inbound("what time does the OPD open?", patient())
    assert len(messages(await post(client, SMS, fields))) == 1
    assert messages(await post(client, SMS, fields)) == []


async def test_a_knowledge_answer_is_acknowledged_at_once_and_sent_by_rest(
    client: httpx.AsyncClient, fake: FakeTwilio
) -> None:
    number = patient()
    started = time.perf_counter()
    response = await post(client, SMS, inbound("what should I eat or drink in dengue?", number))
    assert messages(response) == []  # an empty <Response/>: Twilio is not kept waiting
    assert time.perf_counter() - started < 2
    [message] = await sent_to(fake, number)
    assert set(message) == {"To", "From", "Body", "StatusCallback", "sid"}
    assert message["From"] == HOSPITAL_SMS
    assert message["StatusCallback"] == f"{PUBLIC_URL}/channels/twilio/status"
    assert "Source:" in message["Body"] and "dengue" in message["Body"].lower()


async def test_an_emergency_is_answered_inline_and_alerts_staff(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    response = await post(
        client, SMS, inbound("my father has chest pain and is sweating", patient())
    )
    [text] = messages(response)
    assert "112" in text
    alerts = await redis.xrange("carebot:staff:alerts")
    assert alerts[-1][1][b"category"] == b"emergency"


async def test_stop_silences_everything_but_help_until_start(
    client: httpx.AsyncClient, fake: FakeTwilio
) -> None:
    number = patient()
    [confirmation] = messages(await post(client, SMS, inbound("STOP", number)))
    assert "START" in confirmation
    assert messages(await post(client, SMS, inbound("what time does the OPD open?", number))) == []
    assert messages(await post(client, SMS, inbound("what should I eat in dengue?", number))) == []
    [help_text] = messages(await post(client, SMS, inbound("HELP", number)))
    assert "Front desk" in help_text and "STOP" in help_text
    [welcome] = messages(await post(client, SMS, inbound("START", number)))
    assert "Welcome back" in welcome
    [hindi_help] = messages(await post(client, SMS, inbound("मदद", number)))
    assert "STOP" in hindi_help and "फ्रंट डेस्क" in hindi_help
    await asyncio.sleep(1.0)
    assert [m for m in fake.sent if m["To"] == number] == []  # nothing went out by REST


async def test_hindi_and_hinglish_stop_words_opt_out(client: httpx.AsyncClient) -> None:
    for word in ("बंद करो", "band karo"):
        number = patient()
        [confirmation] = messages(await post(client, SMS, inbound(word, number)))
        assert "START" in confirmation
        assert messages(await post(client, SMS, inbound("OPD kab khulti hai", number))) == []


async def test_a_photo_gets_a_polite_text_only_reply_and_is_recorded(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    fields = inbound(
        "",
        patient(),
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/media/ME0",
        MediaContentType0="image/jpeg",
    )
    [text] = messages(await post(client, SMS, fields))
    assert "only read text" in text
    history = await SessionStore(redis, 3600, 50).history(session_for("sms", fields["From"]))
    assert history[0].text == "[1 attachment(s) not read: image/jpeg]"


async def test_whatsapp_messages_are_answered_on_whatsapp(
    client: httpx.AsyncClient, fake: FakeTwilio
) -> None:
    number = f"whatsapp:{patient()}"
    [text] = messages(await post(client, WHATSAPP, inbound("visiting hours?", number)))
    assert "visiting" in text.lower()
    await post(client, WHATSAPP, inbound("what should I eat or drink in dengue?", number))
    [message] = await sent_to(fake, number)
    assert message["From"] == f"whatsapp:{HOSPITAL_SMS}" and "Source:" in message["Body"]


async def test_outside_the_whatsapp_window_only_the_template_goes_and_the_reply_waits(
    client: httpx.AsyncClient, fake: FakeTwilio, redis: Redis
) -> None:
    number = f"whatsapp:{patient()}"
    session = session_for("whatsapp", number)
    await Contacts(redis, 3600).heard_from(session, number, at=time.time() - 25 * 3600)
    await Outbox(redis, 3600).add(
        Outgoing(ref=uuid.uuid4().hex, session_id=session, channel="whatsapp", text="Your reply.")
    )
    [template] = await sent_to(fake, number)
    assert template["ContentSid"] == WHATSAPP_TEMPLATE and "Body" not in template
    # the patient answers the template: the window opens and the held reply is sent
    await post(client, WHATSAPP, inbound("ok", number))
    sent = await sent_to(fake, number, count=2)
    assert sent[1]["Body"] == "Your reply."


async def test_a_failed_send_is_retried_until_twilio_takes_it(
    fake: FakeTwilio, redis: Redis
) -> None:
    number = patient()
    fake.fail_next(500, 503)
    await queue_reply(redis, number, "Retried reply.")
    [message] = await sent_to(fake, number)
    assert message["Body"] == "Retried reply."
    assert not fake.failures


async def test_a_send_that_keeps_failing_becomes_a_staff_alert(
    fake: FakeTwilio, redis: Redis
) -> None:
    number = patient()
    fake.fail_next(400)  # Twilio refuses the message itself: retrying cannot help
    session = await queue_reply(redis, number, "Refused reply.")
    deadline = time.monotonic() + 20
    while not (alerts := await redis.xrange("carebot:staff:alerts")):
        assert time.monotonic() < deadline, "no staff alert"
        await asyncio.sleep(0.05)
    assert alerts[-1][1][b"category"] == b"undelivered"
    assert alerts[-1][1][b"session_id"] == session.encode()


async def test_a_long_reply_is_split_between_sentences(fake: FakeTwilio, redis: Redis) -> None:
    number = patient()
    text = " ".join(f"Sentence {n} of a long answer about clinic rules." for n in range(60))
    await queue_reply(redis, number, text)
    sent = await sent_to(fake, number, count=2)
    await asyncio.sleep(0.3)
    bodies = [m["Body"] for m in fake.sent if m["To"] == number]
    assert all(len(b) <= 1600 and b.endswith(".") for b in bodies)
    assert " ".join(bodies) == text and len(sent) >= 2


async def test_delivery_status_is_recorded_and_a_failure_alerts_staff(
    client: httpx.AsyncClient, fake: FakeTwilio, redis: Redis
) -> None:
    number = patient()
    await post(client, SMS, inbound("what should I eat or drink in dengue?", number))
    [message] = await sent_to(fake, number)
    outbox = Outbox(redis, 3600)
    assert (await outbox.delivery(message["sid"]))["status"] == "queued"
    fields = {"MessageSid": message["sid"], "MessageStatus": "delivered"}
    assert (await post(client, STATUS, fields)).status_code == 204
    assert (await outbox.delivery(message["sid"]))["status"] == "delivered"
    failed = {"MessageSid": message["sid"], "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert (await post(client, STATUS, failed)).status_code == 204
    alerts = await redis.xrange("carebot:staff:alerts")
    assert alerts[-1][1][b"category"] == b"undelivered"
    assert alerts[-1][1][b"rules"] == b"twilio_undelivered:30003"


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b'{"Body": "hi"}', {"content-type": "application/json"}, 415),
        (b"Body=" + b"x" * 20_000, {"content-type": "application/x-www-form-urlencoded"}, 413),
        (b"\xff\xfe=\xff", {"content-type": "application/x-www-form-urlencoded"}, 400),
        (b"", {"content-type": "text/plain"}, 415),
    ],
)
async def test_bad_bodies_get_a_clear_4xx(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str], status: int
) -> None:
    response = await client.post(SMS, content=content, headers=headers)
    assert response.status_code == status


async def test_a_signed_form_without_twilio_fields_is_a_400(client: httpx.AsyncClient) -> None:
    fields = {"Body": "hello"}
    assert (await post(client, SMS, fields)).status_code == 400
    whatsapp = inbound("hello", patient())  # a WhatsApp sender must say "whatsapp:"
    assert (await post(client, WHATSAPP, whatsapp)).status_code == 400


async def test_a_flood_gets_one_polite_reply_then_silence(client: httpx.AsyncClient) -> None:
    number = patient()
    replies = [messages(await post(client, SMS, inbound(f"hi {n}", number))) for n in range(23)]
    assert all(len(r) == 1 for r in replies[:20])
    assert "faster than I can read" in replies[20][0]
    assert replies[21] == [] and replies[22] == []


async def test_retries_stop_at_the_limit_and_staff_are_alerted(
    fake: FakeTwilio, redis: Redis
) -> None:
    number = patient()
    fake.fail_next(500, 502, 503)  # CAREBOT_SEND_MAX_ATTEMPTS is 3 in the tests
    session = await queue_reply(redis, number, "Never delivered.")
    deadline = time.monotonic() + 20
    while not (alerts := await redis.xrange("carebot:staff:alerts")):
        assert time.monotonic() < deadline, "no staff alert"
        await asyncio.sleep(0.05)
    assert alerts[-1][1][b"session_id"] == session.encode()
    assert not fake.failures and [m for m in fake.sent if m["To"] == number] == []


async def test_an_answer_finished_after_stop_is_not_sent(fake: FakeTwilio, redis: Redis) -> None:
    number = patient()
    session = session_for("sms", number)
    await SessionStore(redis, 3600, 50).save(
        session, SessionState(channel="sms", locale="IN", opted_out=True), []
    )
    await queue_reply(redis, number, "Written before the patient said STOP.")
    control = patient()
    await queue_reply(redis, control, "Sent: this patient did not opt out.")
    await sent_to(fake, control)  # the sender has handled both by now (in order)
    assert [m for m in fake.sent if m["To"] == number] == []
