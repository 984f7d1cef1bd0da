"""The JSON API: send a message, forget a session, health and readiness."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from redis.exceptions import RedisError

from bot.messages import Button, Citation, InboundMessage, Outcome, Route
from bot.router import Router

HARD_MAX_TEXT_CHARS = 8000  # beyond this a request is refused outright (4xx)
SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:@+\-]{1,128}$"
# C0/C1 control characters other than tab, newline and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _patient_text(value: str) -> str:
    if not value.strip():
        raise ValueError("text is empty")
    if _CONTROL.search(value):
        raise ValueError("text contains control characters")
    return value


class MessageIn(BaseModel):
    """A patient's message sent through the JSON API."""

    model_config = ConfigDict(extra="forbid", strict=True)

    session_id: str = Field(
        pattern=SESSION_ID_PATTERN, description="the conversation; letters, digits and _.:@+- only"
    )
    text: Annotated[str, AfterValidator(_patient_text)] = Field(
        max_length=HARD_MAX_TEXT_CHARS, description="what the patient wrote"
    )
    channel: Literal["api", "web"] = "api"
    message_id: str | None = Field(
        default=None,
        pattern=SESSION_ID_PATTERN,
        description="optional idempotency key: resending it returns the first answer",
    )


class ReplyOut(BaseModel):
    text: str
    buttons: list[Button]


class MessageOut(BaseModel):
    """What carebot decided: the route, the intent, and the replies to show."""

    session_id: str
    message_id: str
    route: Route
    intent: str | None
    replies: list[ReplyOut]
    citations: list[Citation]


class Problem(BaseModel):
    detail: str


def get_router(request: Request) -> Router:
    router: Router = request.app.state.router
    return router


api = APIRouter()
RouterDep = Annotated[Router, Depends(get_router)]


def to_message_out(session_id: str, message_id: str, outcome: Outcome) -> MessageOut:
    """Serialise an outcome in the API's wire format."""
    return MessageOut(
        session_id=session_id,
        message_id=message_id,
        route=outcome.route,
        intent=outcome.intent,
        replies=[ReplyOut(text=r.text, buttons=list(r.buttons)) for r in outcome.replies],
        citations=list(outcome.citations),
    )


@api.post(
    "/api/v1/messages",
    response_model=MessageOut,
    responses={422: {"model": Problem}, 503: {"model": Problem}},
)
async def post_message(body: MessageIn, router: RouterDep) -> MessageOut:
    """Send one patient message and get carebot's replies."""
    message = InboundMessage(
        session_id=body.session_id,
        text=body.text,
        channel=body.channel,
        message_id=body.message_id or uuid.uuid4().hex,
    )
    turnaround = await router.handle(message)
    return to_message_out(message.session_id, message.message_id, turnaround.outcome)


@api.delete("/api/v1/sessions/{session_id}", status_code=204, responses={503: {"model": Problem}})
async def forget_session(
    router: RouterDep,
    session_id: Annotated[str, Path(pattern=SESSION_ID_PATTERN)],
) -> Response:
    """Forget-me: delete everything stored about a session, Rasa's tracker included."""
    await router.sessions.forget(session_id)
    return Response(status_code=204)


@api.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@api.get("/readyz", responses={503: {"model": Problem}})
async def readyz(router: RouterDep) -> dict[str, str]:
    """Redis and Rasa are reachable, so messages can be answered."""
    try:
        await router.redis.ping()
    except RedisError:
        raise HTTPException(503, "redis unreachable", headers={"Retry-After": "5"}) from None
    if not await router.dialogue.is_ready():
        raise HTTPException(503, "rasa not ready", headers={"Retry-After": "5"})
    return {"status": "ready"}
