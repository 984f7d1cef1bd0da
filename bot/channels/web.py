"""The website chat widget's channel: a WebSocket per browser tab, and the widget's files.

Protocol (JSON text frames):

- The widget connects to ``/channels/web/ws?session=<id>``; the id lives in
  the browser's localStorage, so a reload or a dropped connection resumes the
  same conversation. The server greets with ``hello`` and the history.
- Widget → server: ``{"type": "message", "text": …, "id": …}`` (``id``
  optional, an idempotency key) and ``{"type": "resume", "job": …}`` to pick
  up an answer that was being written when the connection dropped.
- Server → widget: ``typing``; ``reply`` (route, text, buttons, and for an
  emergency or crisis the number to call); for a knowledge answer
  ``sentence`` (each vetted quote as it is chosen) or ``draft`` (abstractive
  tokens, typing only), then ``final`` with the whole reply and citations;
  ``error`` for a frame it cannot use (the connection stays open).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from redis.exceptions import RedisError

from bot.api import HARD_MAX_TEXT_CHARS, JOB_ID_PATTERN, SESSION_ID_PATTERN
from bot.audit import log_event
from bot.dialogue import DialogueUnavailable
from bot.llm.queue import AnswerQueue
from bot.messages import InboundMessage, Language, Outcome, Reply, Route
from bot.rate_limit import RateLimited
from bot.router import RedisUnavailable, Router

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STREAM_GIVE_UP_SECONDS = 300.0
MAX_FRAME_BYTES = 16 * 1024
MAX_BAD_FRAMES = 20  # a client that keeps sending garbage is disconnected
URGENT_ROUTES = frozenset({Route.EMERGENCY, Route.CRISIS})
_SESSION = re.compile(SESSION_ID_PATTERN)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

web_api = APIRouter(tags=["web widget"])


class MessageFrame(BaseModel):
    """A patient's message from the widget."""

    model_config = ConfigDict(extra="forbid", strict=True)

    type: str = Field(pattern="^message$")
    text: str = Field(min_length=1, max_length=HARD_MAX_TEXT_CHARS)
    id: str | None = Field(default=None, pattern=SESSION_ID_PATTERN)


class ResumeFrame(BaseModel):
    """The widget asks for an answer it was waiting for before it reconnected."""

    model_config = ConfigDict(extra="forbid", strict=True)

    type: str = Field(pattern="^resume$")
    job: str = Field(pattern=JOB_ID_PATTERN)


class WebSession:
    """One connected widget: reads frames, routes messages, streams answers back."""

    def __init__(self, socket: WebSocket, router: Router, answers: AnswerQueue, sid: str) -> None:
        self.socket = socket
        self.router = router
        self.answers = answers
        self.session_id = sid
        self.bad_frames = 0
        locale = router.content.locale(router.settings.locale)
        self.emergency_number = locale.emergency_number
        self.crisis_number = locale.crisis_number

    async def send(self, frame: dict[str, Any]) -> None:
        await self.socket.send_text(json.dumps(frame, ensure_ascii=False))

    async def run(self) -> None:
        history = await self.router.sessions.history(self.session_id)
        await self.send(
            {
                "type": "hello",
                "session": self.session_id,
                "history": [{"role": t.role, "text": t.text, "route": t.route} for t in history],
            }
        )
        while True:
            frame = await self.socket.receive()
            if frame["type"] == "websocket.disconnect":
                return
            await self.handle_frame(frame.get("text"), frame.get("bytes"))
            if self.bad_frames > MAX_BAD_FRAMES:
                await self.socket.close(code=1008, reason="too many invalid frames")
                return

    async def handle_frame(self, text: str | None, data: bytes | None) -> None:
        if text is None:
            return await self.refuse("binary frames are not understood; send JSON text")
        if len(text.encode()) > MAX_FRAME_BYTES:
            return await self.refuse(f"frame larger than {MAX_FRAME_BYTES} bytes")
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            return await self.refuse("a frame must be a JSON object")
        kind = raw.get("type") if isinstance(raw, dict) else None
        try:
            if kind == "message":
                message = MessageFrame.model_validate(raw)
                if not message.text.strip() or _CONTROL.search(message.text):
                    return await self.refuse("text is empty or has control characters")
                return await self.on_message(message)
            if kind == "resume":
                return await self.stream_answer(ResumeFrame.model_validate(raw).job)
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            return await self.refuse(f"invalid {kind} frame: {fields}")
        await self.refuse('unknown frame type; expected "message" or "resume"')

    async def refuse(self, detail: str) -> None:
        self.bad_frames += 1
        await self.send({"type": "error", "detail": detail})

    async def on_message(self, frame: MessageFrame) -> None:
        await self.send({"type": "typing"})
        message = InboundMessage(
            session_id=self.session_id,
            text=frame.text,
            channel="web",
            message_id=frame.id or uuid.uuid4().hex,
            answer_wait_seconds=0.0,  # the answer streams over this socket instead
        )
        try:
            outcome = (await self.router.handle(message)).outcome
        except RateLimited as exc:
            if exc.verdict.first_refusal:
                await self.send_reply(Route.FALLBACK, await self._reply("rate_limited"))
            else:
                await self.send({"type": "idle"})
            return
        except (DialogueUnavailable, RedisUnavailable) as exc:
            log_event("web_unavailable", session_id=self.session_id, error=type(exc).__name__)
            await self.send_reply(Route.FALLBACK, await self._reply("unavailable"))
            return
        await self.send_outcome(outcome)

    async def _reply(self, key: str) -> Reply:
        """A scripted reply in the conversation's language (English if Redis is down)."""
        try:
            state = await self.router.sessions.load(self.session_id)
        except RedisError:
            state = None
        language: Language = state.language if state is not None else "en"
        return self.router.content.reply(key, language, self.router.settings.locale)

    async def send_outcome(self, outcome: Outcome) -> None:
        if outcome.pending and outcome.job_id:
            await self.send({"type": "pending", "job": outcome.job_id})
            await self.stream_answer(outcome.job_id)
            return
        for reply in outcome.replies:
            await self.send_reply(outcome.route, reply, outcome)
        if not outcome.replies:
            await self.send({"type": "idle"})  # nothing to say (opted out, handed off)

    async def send_reply(self, route: Route, reply: Reply, outcome: Outcome | None = None) -> None:
        frame: dict[str, Any] = {
            "type": "reply",
            "route": route.value,
            "text": reply.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
            "citations": [c.model_dump() for c in outcome.citations] if outcome else [],
        }
        if route in URGENT_ROUTES:
            frame["call"] = self.crisis_number if route == Route.CRISIS else self.emergency_number
        await self.send(frame)

    async def stream_answer(self, job_id: str) -> None:
        """Forward a knowledge answer's events until its final reply."""
        if not await self.answers.known(job_id):
            return await self.refuse("no such answer (unknown or expired)")
        after, waited = "0", 0.0
        while waited < STREAM_GIVE_UP_SECONDS:
            batch = await self.answers.events(job_id, after, block_ms=1000)
            if not batch:
                waited += 1.0
                continue
            for entry_id, kind, text in batch:
                after = entry_id
                if kind != "final":
                    await self.send({"type": kind, "job": job_id, "text": text})
                    continue
                answer = await self.answers.result(job_id)
                citations = [c.model_dump() for c in answer.citations] if answer else []
                await self.send(
                    {
                        "type": "final",
                        "job": job_id,
                        "route": Route.KNOWLEDGE.value,
                        "text": text,
                        "citations": citations,
                        "buttons": [],
                    }
                )
                return
        await self.send({"type": "error", "detail": "the answer is taking too long"})


@web_api.websocket("/channels/web/ws")
async def widget_socket(socket: WebSocket) -> None:
    """The widget's conversation socket (see the module docstring for the protocol)."""
    sid = socket.query_params.get("session", "")
    if not _SESSION.fullmatch(sid):
        await socket.close(code=1008, reason="session must match " + SESSION_ID_PATTERN)
        return
    await socket.accept()
    session = WebSession(socket, socket.app.state.router, socket.app.state.answers, sid)
    try:
        await session.run()
    except WebSocketDisconnect:
        return


@web_api.get("/", include_in_schema=False)
async def demo_page() -> FileResponse:
    """The demo hospital's home page, with the widget embedded by one script tag."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")
