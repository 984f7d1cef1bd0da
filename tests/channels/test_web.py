"""The widget's WebSocket protocol over a real connection to the gateway (real stack)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

pytestmark = pytest.mark.slow


def ws_url(gateway: str, session: str) -> str:
    return gateway.replace("http://", "ws://") + f"/channels/web/ws?session={session}"


async def frames_until(ws: ClientConnection, *types: str) -> list[dict[str, Any]]:
    """Read frames until one of ``types`` arrives; returns them all, that one last."""
    seen = []
    while True:
        frame = json.loads(await ws.recv(decode=True))
        seen.append(frame)
        if frame["type"] in types:
            return seen


async def ask(ws: ClientConnection, text: str) -> list[dict[str, Any]]:
    await ws.send(json.dumps({"type": "message", "text": text, "id": uuid.uuid4().hex}))
    return await frames_until(ws, "reply", "final", "idle")


def fresh() -> str:
    return f"web-{uuid.uuid4().hex}"


async def test_a_new_conversation_is_greeted_and_a_scripted_question_answered(
    gateway: str,
) -> None:
    async with connect(ws_url(gateway, fresh())) as ws:
        hello = json.loads(await ws.recv(decode=True))
        assert hello["type"] == "hello" and hello["history"] == []
        frames = await ask(ws, "what time does the OPD open?")
        assert frames[0]["type"] == "typing"
        assert frames[-1]["route"] == "intent" and "9:00 am" in frames[-1]["text"]


async def test_an_emergency_reply_carries_the_number_to_call(gateway: str) -> None:
    async with connect(ws_url(gateway, fresh())) as ws:
        await ws.recv()
        reply = (await ask(ws, "my father has crushing chest pain and is sweating"))[-1]
        assert reply["route"] == "emergency" and reply["call"] == "112"


async def test_a_knowledge_answer_streams_its_sentences_then_the_final_reply(
    gateway: str,
) -> None:
    async with connect(ws_url(gateway, fresh())) as ws:
        await ws.recv()
        frames = await ask(ws, "what should I eat or drink when I have dengue?")
        kinds = [f["type"] for f in frames]
        assert kinds[0] == "typing" and "pending" in kinds and kinds[-1] == "final"
        sentences = [f["text"] for f in frames if f["type"] == "sentence"]
        final = frames[-1]
        assert sentences and all(s in final["text"] for s in sentences)
        assert [c["id"] for c in final["citations"]] == ["dengue"]


async def test_a_reconnect_resumes_the_conversation_and_a_pending_answer(gateway: str) -> None:
    session = fresh()
    async with connect(ws_url(gateway, session)) as ws:
        await ws.recv()
        await ask(ws, "what time does the OPD open?")
        await ws.send(
            json.dumps({"type": "message", "text": "how should I take ORS for diarrhoea?"})
        )
        pending = (await frames_until(ws, "pending"))[-1]
    # the connection dropped while the answer was being written
    async with connect(ws_url(gateway, session)) as ws:
        hello = json.loads(await ws.recv(decode=True))
        texts = [t["text"] for t in hello["history"]]
        assert "what time does the OPD open?" in texts and len(texts) >= 3
        await ws.send(json.dumps({"type": "resume", "job": pending["job"]}))
        final = (await frames_until(ws, "final"))[-1]
        assert "Source:" in final["text"]


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        json.dumps(["a", "list"]),
        json.dumps({"type": "shout", "text": "hi"}),
        json.dumps({"type": "message"}),
        json.dumps({"type": "message", "text": ""}),
        json.dumps({"type": "message", "text": "   "}),
        json.dumps({"type": "message", "text": "bell\x07"}),
        json.dumps({"type": "message", "text": 42}),
        json.dumps({"type": "message", "text": "hi", "extra": True}),
        json.dumps({"type": "message", "text": "x" * 9000}),
        json.dumps({"type": "resume", "job": "../../etc"}),
    ],
)
async def test_an_invalid_frame_gets_an_error_and_the_connection_stays_usable(
    gateway: str, frame: str
) -> None:
    async with connect(ws_url(gateway, fresh())) as ws:
        await ws.recv()
        await ws.send(frame)
        error = json.loads(await ws.recv(decode=True))
        assert error["type"] == "error" and error["detail"]
        assert (await ask(ws, "hello"))[-1]["type"] == "reply"


async def test_a_binary_frame_gets_an_error(gateway: str) -> None:
    async with connect(ws_url(gateway, fresh())) as ws:
        await ws.recv()
        await ws.send(b"\x00\x01binary")
        assert json.loads(await ws.recv(decode=True))["type"] == "error"


async def test_a_client_that_keeps_sending_garbage_is_disconnected(gateway: str) -> None:
    async with connect(ws_url(gateway, fresh())) as ws:
        await ws.recv()
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(100):
                await ws.send("garbage")
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_a_malformed_session_id_is_refused(gateway: str) -> None:
    with pytest.raises(InvalidStatus):
        async with connect(ws_url(gateway, "bad%20id%2F..")):
            pass
