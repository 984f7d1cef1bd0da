"""Small helpers shared by tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from bot.app import create_app
from bot.config import Settings


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def say(client: httpx.AsyncClient, session_id: str, text: str) -> dict[str, Any]:
    """Send one message through the JSON API and return the decoded answer."""
    response = await client.post("/api/v1/messages", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class _ServerThread(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test runner owns signals
        pass


@contextlib.contextmanager
def serve(app: ASGIApp, port: int) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on 127.0.0.1:port; yields its URL."""
    # loop="asyncio": uvicorn must not switch the test runner's own loops to uvloop
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        loop="asyncio",
    )
    server = _ServerThread(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def serve_gateway(settings: Settings, **changes: object) -> Iterator[str]:
    """The gateway app served on 127.0.0.1; with ``changes`` to its settings it gets a
    port of its own, so it can run beside the main test gateway. Yields its URL."""
    if changes:
        settings = settings.model_copy(update={**changes, "port": free_port()})
    with serve(create_app(settings), settings.port) as url:
        yield url
