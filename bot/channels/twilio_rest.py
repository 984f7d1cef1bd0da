"""Outbound SMS and WhatsApp through the real Twilio SDK (its aiohttp client).

The SDK logs every request's form fields (numbers, message text) at INFO on
``twilio.http_client``; that logger is held at WARNING so no patient data
reaches the logs. ``CAREBOT_TWILIO_API_URL`` points the SDK at another base
URL, which only a local fake of Twilio's REST API needs (tests): Twilio's
domain is hard-coded in the SDK, so the HTTP client rewrites it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.config import Settings

logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
SEND_TIMEOUT_SECONDS = 10.0


class SendFailed(RuntimeError):
    """Twilio refused or could not take a message; ``retryable`` says if trying again helps."""

    def __init__(self, detail: str, *, retryable: bool) -> None:
        super().__init__(detail)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Sent:
    """Twilio accepted a message."""

    sid: str
    status: str


class _RebasedHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # untyped SDK
    """Sends the SDK's requests to another base URL, keeping path and query."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        base = urlsplit(base_url)
        self._scheme, self._netloc = base.scheme, base.netloc

    async def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        parts = urlsplit(url)
        rebased = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, ""))
        return await super().request(method, rebased, *args, **kwargs)


class TwilioRest:
    """Creates messages on Twilio's REST API; one instance per process."""

    def __init__(self, settings: Settings) -> None:
        if not settings.twilio_enabled or settings.twilio_auth_token is None:
            raise ValueError("Twilio is not configured (account SID, auth token, public URL)")
        http = (
            _RebasedHttpClient(settings.twilio_api_url, SEND_TIMEOUT_SECONDS)
            if settings.twilio_api_url
            else AsyncTwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS)
        )
        self._http = http
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=http,
        )
        self._status_callback = f"{(settings.public_url or '').rstrip('/')}/channels/twilio/status"

    async def aclose(self) -> None:
        await self._http.close()

    async def send(
        self,
        *,
        to: str,
        sender: str,
        body: str | None = None,
        content_sid: str | None = None,
    ) -> Sent:
        """Create one message (a text, or a WhatsApp template by ``content_sid``)."""
        fields: dict[str, str] = {"status_callback": self._status_callback}
        if content_sid:
            fields["content_sid"] = content_sid
        else:
            fields["body"] = body or ""
        try:
            message = await self._client.messages.create_async(to=to, from_=sender, **fields)
        except TwilioRestException as exc:
            # 429 and 5xx are Twilio's trouble (retry); 4xx is the message's (do not)
            retryable = exc.status == 429 or exc.status >= 500
            raise SendFailed(f"twilio {exc.status} code {exc.code}", retryable=retryable) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise SendFailed(f"twilio unreachable: {type(exc).__name__}", retryable=True) from exc
        return Sent(sid=str(message.sid), status=str(message.status))
