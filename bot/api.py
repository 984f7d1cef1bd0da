"""The JSON API: send a message, forget a session, health and readiness."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from redis.exceptions import RedisError

from bot.llm.queue import AnswerQueue
from bot.messages import Button, Citation, InboundMessage, Outcome, Reply, Route
from bot.router import Router

STREAM_GIVE_UP_SECONDS = 300.0  # an event stream ends after this long without an answer
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
    """What carebot decided: the route, the intent, and the replies to show.

    A knowledge answer still being written comes back with status 202, a
    holding reply, and ``answer_url`` to poll (``/events`` on it streams).
    """

    session_id: str
    message_id: str
    route: Route
    intent: str | None
    replies: list[ReplyOut]
    citations: list[Citation]
    answer_url: str | None = None


class AnswerOut(BaseModel):
    """A knowledge answer, once written."""

    job_id: str
    status: Literal["pending", "answered"]
    replies: list[ReplyOut]
    citations: list[Citation]


class Problem(BaseModel):
    detail: str


def get_router(request: Request) -> Router:
    router: Router = request.app.state.router
    return router


api = APIRouter()
RouterDep = Annotated[Router, Depends(get_router)]


def get_answers(request: Request) -> AnswerQueue:
    answers: AnswerQueue = request.app.state.answers
    return answers


AnswersDep = Annotated[AnswerQueue, Depends(get_answers)]
JOB_ID_PATTERN = r"^[0-9a-f]{32}$"


def answer_url(job_id: str) -> str:
    return f"/api/v1/answers/{job_id}"


def to_message_out(session_id: str, message_id: str, outcome: Outcome) -> MessageOut:
    """Serialise an outcome in the API's wire format."""
    return MessageOut(
        session_id=session_id,
        message_id=message_id,
        route=outcome.route,
        intent=outcome.intent,
        replies=[ReplyOut(text=r.text, buttons=list(r.buttons)) for r in outcome.replies],
        citations=list(outcome.citations),
        answer_url=answer_url(outcome.job_id) if outcome.pending and outcome.job_id else None,
    )


@api.post(
    "/api/v1/messages",
    response_model=MessageOut,
    responses={422: {"model": Problem}, 503: {"model": Problem}},
)
async def post_message(
    body: MessageIn, router: RouterDep, answers: AnswersDep, response: Response
) -> MessageOut:
    """Send one patient message and get carebot's replies (202 while an answer is written)."""
    message = InboundMessage(
        session_id=body.session_id,
        text=body.text,
        channel=body.channel,
        message_id=body.message_id or uuid.uuid4().hex,
    )
    outcome = (await router.handle(message)).outcome
    if outcome.pending and outcome.job_id:
        # a resent message may find its answer written in the meantime
        answer = await answers.result(outcome.job_id)
        if answer is None:
            response.status_code = 202
            response.headers["Location"] = answer_url(outcome.job_id)
        else:
            outcome = outcome.model_copy(
                update={
                    "pending": False,
                    "replies": (Reply(text=answer.text),),
                    "citations": answer.citations,
                }
            )
    return to_message_out(message.session_id, message.message_id, outcome)


@api.get(
    "/api/v1/answers/{job_id}",
    response_model=AnswerOut,
    responses={202: {"model": AnswerOut}, 404: {"model": Problem}},
)
async def get_answer(
    answers: AnswersDep, response: Response, job_id: Annotated[str, Path(pattern=JOB_ID_PATTERN)]
) -> AnswerOut:
    """Poll a knowledge answer: 200 with the reply once written, 202 while pending."""
    answer = await answers.result(job_id)
    if answer is None:
        if not await answers.known(job_id):
            raise HTTPException(404, "no such answer (unknown or expired)")
        response.status_code = 202
        response.headers["Retry-After"] = "1"
        return AnswerOut(job_id=job_id, status="pending", replies=[], citations=[])
    return AnswerOut(
        job_id=job_id,
        status="answered",
        replies=[ReplyOut(text=answer.text, buttons=[])],
        citations=list(answer.citations),
    )


@api.get("/api/v1/answers/{job_id}/events", responses={404: {"model": Problem}})
async def stream_answer(
    answers: AnswersDep, job_id: Annotated[str, Path(pattern=JOB_ID_PATTERN)]
) -> StreamingResponse:
    """Server-sent events of an answer as it is written: ``sentence`` (a vetted quote),
    ``draft`` (an unverified abstractive token, to show as typing only), ``verified``
    and finally ``final`` with the whole reply."""
    if not await answers.known(job_id):
        raise HTTPException(404, "no such answer (unknown or expired)")

    async def events() -> AsyncIterator[str]:
        after, waited = "0", 0.0
        while waited < STREAM_GIVE_UP_SECONDS:
            batch = await answers.events(job_id, after, block_ms=1000)
            if not batch:
                waited += 1.0
                yield ": waiting\n\n"  # keeps proxies from closing the connection
                continue
            for entry_id, kind, text in batch:
                after = entry_id
                yield f"event: {kind}\ndata: {json.dumps({'text': text}, ensure_ascii=False)}\n\n"
                if kind == "final":
                    return

    return StreamingResponse(events(), media_type="text/event-stream")


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
