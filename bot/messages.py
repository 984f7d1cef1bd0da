"""The small typed values every part of carebot speaks: inbound messages, replies, routes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "hi", "hinglish"]
Channel = Literal["api", "web", "sms", "whatsapp"]


class FrozenModel(BaseModel):
    """An immutable value passed between parts of carebot (validated where it is built)."""

    model_config = ConfigDict(frozen=True)


class Route(StrEnum):
    """Which path of the router produced a reply (the product's safety order)."""

    EMERGENCY = "emergency"
    CRISIS = "crisis"
    INTENT = "intent"
    KNOWLEDGE = "knowledge"
    HANDOFF = "handoff"
    OPT_OUT = "opt_out"
    FALLBACK = "fallback"


class Button(FrozenModel):
    """A quick reply: what the patient sees and what is sent back when chosen."""

    title: str
    payload: str


class Reply(FrozenModel):
    """One message to the patient."""

    text: str
    buttons: tuple[Button, ...] = ()


class Citation(FrozenModel):
    """A knowledge-base document an answer quotes."""

    id: str
    title: str
    url: str


class InboundMessage(FrozenModel):
    """A patient's message, normalised by its channel adapter."""

    session_id: str
    text: str
    channel: Channel
    message_id: str
    # how long the knowledge route may wait for the model before returning a pending
    # outcome: None = CAREBOT_ANSWER_WAIT_SECONDS; 0 for channels that stream or push
    # the answer later (a Twilio webhook must be acknowledged at once)
    answer_wait_seconds: float | None = None


class Outcome(FrozenModel):
    """What the router decided for one message."""

    route: Route
    intent: str | None = None
    replies: tuple[Reply, ...] = ()
    citations: tuple[Citation, ...] = ()
    language: Language = "en"
    rules: tuple[str, ...] = Field(default=(), description="triage rules that fired")
    job_id: str | None = Field(default=None, description="the knowledge answer job, if any")
    pending: bool = Field(default=False, description="the knowledge answer is still being written")
    retrieved: tuple[str, ...] = Field(
        default=(), description="knowledge documents retrieved, best first (for evaluation)"
    )
