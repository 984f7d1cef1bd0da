"""The JSON API over real HTTP, with Rasa, the action server and Redis running."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from tests.helpers import say

pytestmark = pytest.mark.slow


async def test_scripted_question_gets_the_hospital_answer(client: httpx.AsyncClient) -> None:
    body = await say(client, "api-hours", "what time does the OPD open?")
    assert body["route"] == "intent" and body["intent"] == "clinic_hours"
    assert "9:00 am" in body["replies"][0]["text"]
    assert body["citations"] == []


async def test_reply_follows_the_patients_language(client: httpx.AsyncClient) -> None:
    body = await say(client, "api-hindi", "ओपीडी कब खुलती है?")
    assert body["intent"] == "clinic_hours"
    assert "ओपीडी" in body["replies"][0]["text"]


async def test_emergency_is_answered_with_the_locale_number(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    body = await say(client, "api-emergency", "my father has crushing chest pain and is sweating")
    assert body["route"] == "emergency" and body["intent"] is None
    assert "112" in body["replies"][0]["text"]
    alerts = await redis.xrange("carebot:staff:alerts")
    assert alerts and alerts[-1][1][b"category"] == b"emergency"


async def test_booking_form_collects_confirms_and_records_the_request(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    sid = "api-booking"
    steps = [
        ("I want to book an appointment", "department"),
        ("cardiology", "day"),
        ("next Monday", "time of day"),
        ("morning", "name"),
        ("Rahul Verma", "mobile"),
        ("98765 43210", "Shall I send it"),
    ]
    for text, expected in steps:
        body = await say(client, sid, text)
        assert body["route"] == "intent" and body["intent"] == "book_appointment"
        assert expected in body["replies"][0]["text"], body
    body = await say(client, sid, "yes")
    assert "front desk will call" in body["replies"][0]["text"]
    requests = await redis.xrange("carebot:staff:requests")
    fields = json.loads(requests[-1][1][b"fields"])
    assert requests[-1][1][b"kind"] == b"book_appointment"
    assert fields == {
        "department": "Cardiology",
        "preferred_date": "next Monday",
        "preferred_time": "morning",
        "patient_name": "Rahul Verma",
        "contact_phone": "9876543210",
    }


async def test_patient_can_stop_a_form_half_way(client: httpx.AsyncClient, redis: Redis) -> None:
    sid = "api-stop-form"
    await say(client, sid, "I need a refill of my prescription")
    body = await say(client, sid, "no, forget it")
    assert "haven't sent anything" in body["replies"][0]["text"]
    assert await redis.xlen("carebot:staff:requests") == 0


async def test_question_during_a_form_is_answered_and_the_form_resumes(
    client: httpx.AsyncClient,
) -> None:
    sid = "api-interrupt"
    await say(client, sid, "book an appointment please")
    body = await say(client, sid, "where is the hospital located?")
    texts = " ".join(r["text"] for r in body["replies"])
    assert "Lakeview Road" in texts and "department" in texts


@pytest.mark.parametrize(
    "text", ["put me through to the lab please", "can i speak to a counsellor"]
)
async def test_a_request_for_a_person_is_handed_off_even_when_the_documents_are_close(
    client: httpx.AsyncClient, text: str
) -> None:
    # a vetted sentence about the pharmacy or counselling resembles these closely,
    # but the patient asked for a person
    body = await say(client, f"api-request-{len(text)}", text)
    assert body["route"] == "handoff"


async def test_talk_to_human_hands_off_and_the_bot_goes_quiet(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    sid = "api-handoff"
    body = await say(client, sid, "I want to talk to a real person")
    assert body["route"] == "handoff" and body["intent"] == "talk_to_human"
    body = await say(client, sid, "hello? what are the visiting hours")
    assert body["route"] == "handoff" and body["replies"] == []
    assert await redis.xlen("carebot:staff:handoffs") == 2
    # safety still comes first while staff own the conversation
    body = await say(client, sid, "he has collapsed and is not breathing")
    assert body["route"] == "emergency"


async def test_opt_out_silences_the_bot_until_start(client: httpx.AsyncClient) -> None:
    sid = "api-optout"
    body = await say(client, sid, "please stop sending me messages")
    assert body["route"] == "opt_out" and body["intent"] == "opt_out"
    assert "START" in body["replies"][0]["text"]
    body = await say(client, sid, "what are the OPD timings")
    assert body["route"] == "opt_out" and body["replies"] == []
    body = await say(client, sid, "START")
    assert body["replies"] and "Welcome back" in body["replies"][0]["text"]
    body = await say(client, sid, "what are the OPD timings")
    assert body["intent"] == "clinic_hours"


async def test_health_question_is_answered_from_the_knowledge_base(
    client: httpx.AsyncClient,
) -> None:
    body = await say(client, "api-health", "what should I eat or drink when I have dengue?")
    assert body["route"] == "knowledge" and body["intent"] == "health_question"
    assert [c["id"] for c in body["citations"]] == ["dengue"]
    assert body["citations"][0]["url"].startswith("https://")
    assert "Source:" in body["replies"][0]["text"]


async def test_a_question_the_scripted_reply_does_not_answer_is_quoted_from_the_kb(
    client: httpx.AsyncClient,
) -> None:
    # the visiting-hours reply says nothing of flowers; the knowledge base does
    body = await say(client, "api-flowers", "can i take flowers for my uncle in the ICU")
    assert body["route"] == "knowledge"
    assert [c["id"] for c in body["citations"]] == ["ops-visiting-rules"]


async def test_a_question_about_medicines_does_not_start_the_refill_form(
    client: httpx.AsyncClient,
) -> None:
    sid = "api-chemist"
    body = await say(
        client, sid, "can i buy my medicines from an outside chemist instead of the hospital?"
    )
    assert body["route"] == "knowledge"
    assert [c["id"] for c in body["citations"]] == ["ops-pharmacy"]
    # no form was started: the next request is understood afresh
    body = await say(client, sid, "what time does the OPD open?")
    assert body["intent"] == "clinic_hours" and "9:00 am" in body["replies"][0]["text"]


async def test_a_question_about_hospital_rules_is_answered_from_the_kb(
    client: httpx.AsyncClient,
) -> None:
    body = await say(
        client, "api-rules", "can unused medicines be returned to the hospital pharmacy"
    )
    assert body["route"] == "knowledge" and body["intent"] == "hospital_question"
    assert [c["id"] for c in body["citations"]] == ["ops-pharmacy"]


async def test_health_question_outside_the_knowledge_base_is_declined(
    client: httpx.AsyncClient,
) -> None:
    body = await say(client, "api-health-no", "what is the normal range for a TSH thyroid test")
    assert body["route"] == "knowledge" and body["citations"] == []
    assert "don't have vetted information" in body["replies"][0]["text"]
    assert any(b["payload"] == "/talk_to_human" for b in body["replies"][0]["buttons"])


async def test_a_health_question_saying_stop_never_silences_the_patient(
    client: httpx.AsyncClient,
) -> None:
    sid = "api-stop-question"
    body = await say(client, sid, "bacche ko dast hai, kya maa ka doodh pilana band kar de?")
    assert body["route"] != "opt_out"
    body = await say(client, sid, "what are the OPD timings")
    assert body["replies"], "the patient was opted out by a health question"


async def test_chit_chat_gets_the_plain_fallback_not_a_health_refusal(
    client: httpx.AsyncClient,
) -> None:
    body = await say(client, "api-joke", "tell me a joke")
    assert body["route"] == "fallback" and body["citations"] == []
    assert "vetted information" not in body["replies"][0]["text"]


async def test_nonsense_gets_a_fallback_that_offers_a_human(client: httpx.AsyncClient) -> None:
    body = await say(client, "api-nonsense", "qwpoeiruty zmxncb")
    assert body["route"] == "fallback" and body["intent"] is None
    assert any(b["payload"] == "/talk_to_human" for b in body["replies"][0]["buttons"])


async def test_resent_message_id_is_answered_once(client: httpx.AsyncClient, redis: Redis) -> None:
    payload = {"session_id": "api-idem", "text": "I want to talk to a person", "message_id": "m-1"}
    first = (await client.post("/api/v1/messages", json=payload)).json()
    second = (await client.post("/api/v1/messages", json=payload)).json()
    assert first == second
    assert await redis.xlen("carebot:staff:handoffs") == 1


async def test_forget_me_removes_session_and_rasa_tracker(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    await say(client, "api-forget", "hello")
    assert await redis.exists("carebot:tracker:api-forget", "carebot:session:api-forget") == 2
    response = await client.delete("/api/v1/sessions/api-forget")
    assert response.status_code == 204
    assert await redis.keys("*api-forget*") == []


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"session_id": "s", "text": ""}, "empty"),
        ({"session_id": "s", "text": "   \n "}, "empty"),
        ({"session_id": "s", "text": "x" * 10_000}, "at most"),
        ({"session_id": "s", "text": "hi\x00there"}, "control characters"),
        ({"session_id": "s", "text": 42}, "string"),
        ({"session_id": "s"}, "text"),
        ({"text": "hi"}, "session_id"),
        ({"session_id": "a b/c", "text": "hi"}, "session_id"),
        ({"session_id": "s", "text": "hi", "channel": "fax"}, "channel"),
        ({"session_id": "s", "text": "hi", "extra": 1}, "extra"),
        ([], "object"),
    ],
)
async def test_bad_input_gets_a_clear_4xx(
    client: httpx.AsyncClient, body: object, problem: str
) -> None:
    response = await client.post("/api/v1/messages", json=body)
    assert response.status_code == 422
    assert problem in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b'{"session_id": "s", "text": "\xff\xfe"}', {"content-type": "application/json"}, 400),
        (b'{"session_id": "s", "text": ', {"content-type": "application/json"}, 422),
        (b"session_id=s&text=hi", {"content-type": "application/x-www-form-urlencoded"}, 422),
        (b"x" * 70_000, {"content-type": "application/json"}, 413),
    ],
)
async def test_malformed_bodies_are_refused(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str], status: int
) -> None:
    response = await client.post("/api/v1/messages", content=content, headers=headers)
    assert response.status_code == status
    assert "detail" in response.json()


async def test_long_message_gets_a_polite_reply(client: httpx.AsyncClient) -> None:
    body = await say(client, "api-long", "please read this " * 200)
    assert body["route"] == "fallback" and "too long" in body["replies"][0]["text"]


async def test_emergency_in_a_long_message_is_still_caught(client: httpx.AsyncClient) -> None:
    body = await say(
        client,
        "api-long-emg",
        "sorry for the long story " * 100 + " now my wife is unconscious and not breathing",
    )
    assert body["route"] == "emergency"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=50),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(["session_id", "text", "channel", "message_id", "x"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=8,
    )
)
def test_no_json_payload_causes_a_server_error(gateway: str, payload: object) -> None:
    response = httpx.post(f"{gateway}/api/v1/messages", json=payload, timeout=30)
    assert response.status_code < 500 or response.status_code == 503


async def test_rasa_tracker_lives_in_redis_and_expires(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    await say(client, "api-ttl", "hello")
    assert 0 < await redis.ttl("carebot:tracker:api-ttl") <= 24 * 3600
    assert 0 < await redis.ttl("carebot:session:api-ttl") <= 24 * 3600


async def test_opted_out_patient_in_an_emergency_still_gets_help(client: httpx.AsyncClient) -> None:
    sid = "api-optout-emg"
    await say(client, sid, "STOP")
    body = await say(client, sid, "my son swallowed rat poison")
    assert body["route"] == "emergency" and "108" in body["replies"][0]["text"]


async def test_cancellation_in_hindi_is_asked_and_confirmed_in_hindi(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    sid = "api-cancel-hi"
    body = await say(client, sid, "मुझे अपना अपॉइंटमेंट रद्द करना है")
    assert body["intent"] == "cancel_appointment"
    assert "अपॉइंटमेंट" in body["replies"][0]["text"]
    for text in ("कार्डियोलॉजी, शुक्रवार", "सुनीता देवी", "9876543210"):
        body = await say(client, sid, text)
    assert "फ्रंट डेस्क" in body["replies"][0]["text"]  # asks to confirm, in Hindi
    body = await say(client, sid, "हाँ")
    assert "भेज दिया गया" in body["replies"][0]["text"]
    entry = (await redis.xrange("carebot:staff:requests"))[-1][1]
    assert entry[b"kind"] == b"cancel_appointment"


async def test_bot_answers_again_once_the_handoff_time_is_over(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    sid = "api-handoff-over"
    await say(client, sid, "connect me to the receptionist please")
    assert (await say(client, sid, "visiting hours?"))["replies"] == []
    await redis.hset(f"carebot:session:{sid}", "handoff_until", "1.0")  # as if hours passed
    body = await say(client, sid, "what are the visiting hours?")
    assert body["route"] == "intent" and body["intent"] == "visiting_hours"


async def test_logs_never_contain_patient_text_or_numbers(client: httpx.AsyncClient) -> None:
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("carebot").addHandler(handler)
    try:
        await say(client, "api-private", "I am Zorawar Quill, call me on 98111 22334 about my bill")
        await say(client, "api-private", "my chest hurts badly and I'm sweating, Zorawar")
    finally:
        logging.getLogger("carebot").removeHandler(handler)
    logged = "\n".join(lines)
    assert '"event": "turn"' in logged and '"route": "emergency"' in logged
    assert "Zorawar" not in logged and "98111" not in logged and "api-private" not in logged


async def test_a_flood_from_one_sender_gets_429_but_an_emergency_still_gets_through(
    client: httpx.AsyncClient,
) -> None:
    sid = "api-flood"
    statuses = []
    for n in range(25):
        response = await client.post(
            "/api/v1/messages", json={"session_id": sid, "text": f"hello {n}"}
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}
    assert int(response.headers["Retry-After"]) >= 1
    body = await say(client, sid, "my father has collapsed and is not breathing")
    assert body["route"] == "emergency"
