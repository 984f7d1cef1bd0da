"""Channel figures: widget time to first answer sentence, Twilio webhook acknowledgement
while the model is busy, SMS splitting.

Twilio gives a webhook 15 s, and carebot promises far less: the webhook is
acknowledged (TwiML for instant replies, an empty ``<Response/>`` for a
knowledge answer) without waiting for the model. This measures it with every
answer worker busy: a backlog of knowledge questions is queued first, then
scripted and knowledge messages are timed through signed webhooks. Sends go to
the local fake of Twilio's REST API (tests/channels/fake_twilio.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
from redis.asyncio import Redis
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import connect

from benchmarks.dialogue_latency import _free_port, _percentile, start_bench_stack
from bot.channels.sms_text import split_message
from bot.llm.queue import AnswerQueue
from tests.channels.fake_twilio import (
    HOSPITAL_SMS,
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    FakeTwilio,
)
from tests.helpers import serve

KNOWLEDGE = [
    "what should I eat or drink when I have dengue?",
    "how much ORS should a child with loose motions drink?",
    "how do I use a steroid inhaler?",
    "what is the paracetamol limit for adults?",
]
SCRIPTED = ["what time does the OPD open?", "visiting hours?", "where is the hospital?"]
SPLIT_TEXTS = [
    " ".join(f"Sentence {n} of a long answer about clinic rules and fees." for n in range(40)),
    "डेंगू में आराम करें और भरपूर पानी पिएँ। " * 40,
    "The OPD opens at 9:00 am.",
]


def _signed(path: str, fields: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(PUBLIC_URL + path, fields)
    return {"X-Twilio-Signature": str(signature)}


async def _webhook(http: httpx.AsyncClient, n: int, text: str) -> float:
    fields = {
        "MessageSid": f"SMbench{n:026d}",
        "From": f"+1555555{n % 10_000:04d}",
        "To": HOSPITAL_SMS,
        "Body": text,
        "NumMedia": "0",
    }
    path = "/channels/twilio/sms"
    started = time.perf_counter()
    response = await http.post(path, data=fields, headers=_signed(path, fields))
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"webhook answered {response.status_code}")
    return elapsed


async def ack_while_busy(gateway: str, redis_url: str, timed: int = 40) -> dict[str, float]:
    """Webhook acknowledgement times (ms) with the answer worker(s) kept busy."""
    redis = Redis.from_url(redis_url)
    queue = AnswerQueue(redis, 3600)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        for n in range(3):  # warm the paths
            await _webhook(http, 90_000 + n, SCRIPTED[n % len(SCRIPTED)])
        for n in range(8):  # a backlog: the workers stay busy for the whole run
            await _webhook(http, 80_000 + n, KNOWLEDGE[n % len(KNOWLEDGE)])
        times = []
        for n in range(timed):
            text = (KNOWLEDGE if n % 2 else SCRIPTED)[n % 3]
            times.append(await _webhook(http, n, text))
            await asyncio.sleep(0.05)
        backlog = await queue.pending() + await redis.xlen("carebot:jobs:answers")
    await redis.aclose()
    return {
        "p50": _percentile(times, 0.5),
        "p99": _percentile(times, 0.99),
        "n": len(times),
        "busy": float(backlog > 0),
    }


async def widget_first_sentence(gateway: str, rounds: int = 5) -> dict[str, float]:
    """Time from sending a knowledge question over the widget's WebSocket to the first
    streamed sentence, and to the final reply (ms), with an idle worker."""
    url = gateway.replace("http://", "ws://") + "/channels/web/ws?session=bench-ws"
    first, final = [], []
    async with connect(url) as ws:
        await ws.recv()
        for n in range(rounds):
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": KNOWLEDGE[n % len(KNOWLEDGE)]}))
            seen_first = None
            while True:
                frame = json.loads(await ws.recv(decode=True))
                if frame["type"] in ("sentence", "draft") and seen_first is None:
                    seen_first = (time.perf_counter() - started) * 1000
                if frame["type"] in ("final", "reply"):
                    final.append((time.perf_counter() - started) * 1000)
                    first.append(seen_first if seen_first is not None else final[-1])
                    break
    return {"first_p50": _percentile(first, 0.5), "final_p50": _percentile(final, 0.5), "n": rounds}


def split_throughput(seconds: float = 2.0) -> dict[str, float]:
    """Replies split into SMS-sized messages per second (GSM-7 and UCS-2 mixed)."""
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in SPLIT_TEXTS:
            split_message(text, 320)
            done += 1
    return {"per_s": done / (time.perf_counter() - started)}


def channel_rows(log_dir: Path) -> list[tuple[str, str, str]]:
    """The channel rows of the bench table."""
    fake = FakeTwilio(account_sid=TWILIO_ACCOUNT_SID, auth_token=TWILIO_AUTH_TOKEN)
    rows: list[tuple[str, str, str]] = []
    with serve(fake.app(), _free_port()) as fake_url:
        env = {
            "CAREBOT_PUBLIC_URL": PUBLIC_URL,
            "CAREBOT_TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
            "CAREBOT_TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
            "CAREBOT_TWILIO_SMS_FROM": HOSPITAL_SMS,
            "CAREBOT_TWILIO_API_URL": fake_url,
        }
        bench = start_bench_stack(log_dir, workers=1, gateway_env=env)
        try:
            ws = asyncio.run(widget_first_sentence(bench.gateway_url))
            ack = asyncio.run(ack_while_busy(bench.gateway_url, bench.stack.redis_url))
        finally:
            bench.stop()
    rows.append(
        (
            "widget: knowledge question → first streamed sentence (WebSocket), default model",
            f"p50 {ws['first_p50']:.0f} ms; final reply p50 {ws['final_p50']:.0f} ms "
            f"(n={ws['n']:.0f}; extractive mode sends the quotes once the model has chosen)",
            "",
        )
    )
    rows.append(
        (
            "Twilio webhook acknowledgement, answer worker busy (scripted + knowledge)",
            f"p50 {ack['p50']:.1f} ms, p99 {ack['p99']:.1f} ms (n={ack['n']:.0f}, "
            f"worker {'busy' if ack['busy'] else 'idle'} throughout)",
            "p99 ≤ 100 ms",
        )
    )
    split = split_throughput()
    rows.append(("SMS splitting (GSM-7/UCS-2 counted)", f"{split['per_s']:,.0f} replies/s", ""))
    return rows
