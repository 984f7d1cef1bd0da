"""A local fake of Twilio's REST API: the one endpoint carebot calls, recorded.

The real Twilio SDK talks to it over HTTP (``CAREBOT_TWILIO_API_URL``), so the
tests see the exact form fields Twilio would receive. It checks Basic auth
like Twilio, answers 201 with a message resource, and can be told to fail the
next N requests with a given status (to exercise retries).
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

# Fictional values only: 555-01xx numbers are reserved for fiction, and the SIDs and
# token are shaped like Twilio's but belong to no account.
TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TWILIO_AUTH_TOKEN = "test-auth-token-not-a-secret"
HOSPITAL_SMS = "+15555550100"
PATIENT_SMS = "+15555550123"
WHATSAPP_TEMPLATE = "HX" + "fedcba9876543210" * 2
PUBLIC_URL = "https://carebot.hospital.example"


@dataclass
class FakeTwilio:
    """The fake's state: what was sent, and failures still to inject."""

    account_sid: str
    auth_token: str
    sent: list[dict[str, str]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next requests
    url: str = ""  # where it is served, once started
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, *statuses: int) -> None:
        with self._lock:
            self.failures.extend(statuses)

    def app(self) -> FastAPI:
        api = FastAPI()
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

        @api.post(path)
        async def create_message(request: Request) -> JSONResponse:
            expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
            if request.headers.get("authorization") != f"Basic {expected}":
                return JSONResponse({"code": 20003, "message": "Authenticate"}, status_code=401)
            fields = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
            with self._lock:
                status = self.failures.pop(0) if self.failures else None
                if status is not None:
                    code = 21211 if status < 500 else 20500
                    body = {"code": code, "message": "injected failure", "status": status}
                    return JSONResponse(body, status_code=status)
                sid = f"SM{next(self._numbers):032x}"
                self.sent.append(fields | {"sid": sid})
            return JSONResponse(
                {
                    "sid": sid,
                    "account_sid": self.account_sid,
                    "to": fields.get("To"),
                    "from": fields.get("From"),
                    "body": fields.get("Body"),
                    "status": "queued",
                    "num_segments": "1",
                },
                status_code=201,
            )

        return api
