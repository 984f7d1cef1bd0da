"""Client for the Rasa server: one REST-webhook call per patient turn.

Rasa's replies come back as text messages with buttons, plus one ``carebot``
JSON message from our custom actions naming the intent or form that answered
(see ``actions/common.py``); it is parsed here and never shown to a patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bot.messages import Button, Language, Reply

MAX_CONNECTIONS = 16


class DialogueUnavailable(RuntimeError):
    """Rasa (or its action server) could not answer; the caller should retry later."""


@dataclass(frozen=True, slots=True)
class DialogueTurn:
    """Rasa's answer to one message."""

    replies: tuple[Reply, ...]
    intent: str | None  # the scripted intent (or form's intent) that answered, if any
    nlu_intent: str | None  # what NLU recognised, for the audit log
    confidence: float
    form: str | None


class DialogueClient:
    """Talks to ``POST /webhooks/rest/webhook`` with timeouts; one call per turn."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        # A bounded pool of kept-alive connections: under a burst, turns queue here (up to the
        # timeout) instead of opening hundreds of sockets that Rasa's single loop cannot accept.
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=5.0),
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
            ),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def is_ready(self) -> bool:
        """True when Rasa answers and has a model loaded."""
        try:
            response = await self._client.get("/status", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_file"))

    async def rewind(self, session_id: str) -> None:
        """Undo the conversation's last patient turn in Rasa's tracker (a form it started,
        slots it set), for a message the knowledge route answered instead."""
        try:
            response = await self._client.post(
                f"/conversations/{session_id}/tracker/events", json=[{"event": "rewind"}]
            )
        except httpx.HTTPError as exc:
            raise DialogueUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise DialogueUnavailable(f"Rasa answered HTTP {response.status_code}")

    async def send(
        self, session_id: str, text: str, *, language: Language, locale: str, channel: str
    ) -> DialogueTurn:
        """Send one patient message to Rasa and return its replies."""
        body = {
            "sender": session_id,
            "message": text,
            "metadata": {"language": language, "locale": locale, "channel": channel},
        }
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            raise DialogueUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise DialogueUnavailable(f"Rasa answered HTTP {response.status_code}")
        return parse_turn(response.json())


def parse_turn(messages: list[dict[str, Any]]) -> DialogueTurn:
    """Split Rasa's output into patient replies and our actions' report."""
    replies: list[Reply] = []
    report: dict[str, Any] = {}
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("carebot"), dict):
            report = custom["carebot"]
            continue
        if text := message.get("text"):
            buttons = tuple(
                Button(title=b["title"], payload=b["payload"]) for b in message.get("buttons") or ()
            )
            replies.append(Reply(text=text, buttons=buttons))
    return DialogueTurn(
        replies=tuple(replies),
        intent=report.get("intent"),
        nlu_intent=report.get("nlu_intent"),
        confidence=float(report.get("confidence") or 0.0),
        form=report.get("form"),
    )
