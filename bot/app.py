"""FastAPI app factory: wires settings, Redis, Rasa and the router; maps errors to 4xx/503."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send
from threadpoolctl import threadpool_limits

from bot.api import api
from bot.audit import configure_logging, log_event
from bot.channels.sender import Sender
from bot.channels.twilio import TwilioChannel, twilio_api
from bot.channels.twilio_rest import TwilioRest
from bot.channels.web import STATIC_DIR, web_api
from bot.config import Settings, get_settings
from bot.content import load_content
from bot.dialogue import DialogueClient, DialogueUnavailable
from bot.knowledge.loader import load_knowledge
from bot.knowledge.retriever import load_tuning
from bot.knowledge.terms import glossary
from bot.knowledge.verifier import load_vocabulary
from bot.llm.queue import AnswerQueue
from bot.rate_limit import RateLimited
from bot.redis_client import connect_redis
from bot.router import RedisUnavailable, Router
from bot.safety.triage import triage

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 before reading them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> dict[str, object]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLarge
            return message  # type: ignore[return-value]

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"detail": f"request body over {MAX_BODY_BYTES} bytes"}, 413)
    await response(scope, receive, send)


def _retry_later(detail: str, settings: Settings) -> JSONResponse:
    return JSONResponse(
        {"detail": detail},
        status_code=503,
        headers={"Retry-After": str(settings.retry_after_seconds)},
    )


@asynccontextmanager
async def sending(settings: Settings, redis: Redis) -> AsyncIterator[Sender]:
    """The outbox sender loop, running for as long as the gateway does."""
    rest = TwilioRest(settings)
    sender = Sender(settings, redis, rest)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await task
        await rest.aclose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the gateway; Redis and Rasa are connected in the lifespan."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    content = load_content(settings.data_dir)
    content.locale(settings.locale)  # fail at start-up on an unknown locale
    triage("warm up")  # load and validate the triage lexicons before the first patient
    # and the knowledge route's data files: a bad edit stops start-up, naming the file
    load_tuning()
    load_vocabulary()
    glossary()

    # The gateway embeds one short question per message while Rasa answers the same
    # message on the same cores: one BLAS thread avoids oversubscribing them
    # (measured on 2 cores: scripted turns p99 55 → 40 ms, 23 → 43 turns/s).
    threadpool_limits(limits=1, user_api="blas")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.redis_url is None:
            raise RuntimeError("CAREBOT_REDIS_URL must be set (carebot run starts one)")
        redis = connect_redis(settings.redis_url)
        dialogue = DialogueClient(settings.rasa_url, settings.rasa_timeout_seconds)
        queue = AnswerQueue(redis, settings.answer_ttl_seconds)
        knowledge = await asyncio.to_thread(load_knowledge, settings, content, queue)
        router = Router(settings, content, redis, dialogue, knowledge)
        app.state.router = router
        app.state.answers = queue
        async with contextlib.AsyncExitStack() as running:
            if settings.twilio_enabled:
                app.state.twilio = TwilioChannel(settings, router, content)
                await running.enter_async_context(sending(settings, redis))
            try:
                yield
            finally:
                await dialogue.aclose()
        await redis.aclose()

    app = FastAPI(
        title="carebot",
        version="0.1.0",
        lifespan=lifespan,
        description="Self-hosted patient assistant: triage, scripted dialogue, grounded answers.",
    )
    app.include_router(api)
    app.include_router(twilio_api)
    app.include_router(web_api)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Say what is wrong without echoing the patient's text back into logs or caches.
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    @app.exception_handler(DialogueUnavailable)
    async def dialogue_down(request: Request, exc: DialogueUnavailable) -> JSONResponse:
        log_event("dialogue_unavailable", error=str(exc), level=30)
        return _retry_later(
            "the dialogue service is unavailable; the message was stored as "
            "failed, please resend it (same message_id) shortly",
            settings,
        )

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            {"detail": "too many messages from this conversation; please wait and resend"},
            status_code=429,
            headers={"Retry-After": str(exc.verdict.retry_after)},
        )

    @app.exception_handler(RedisUnavailable)
    @app.exception_handler(RedisError)
    async def redis_down(request: Request, exc: Exception) -> JSONResponse:
        log_event("redis_unavailable", error=type(exc).__name__, level=30)
        return _retry_later(
            "storage is unavailable; the message was not accepted, please resend it shortly",
            settings,
        )

    return app
