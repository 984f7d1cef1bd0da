"""Scripted-turn latency and throughput: the gateway against Rasa's own REST webhook.

Both are measured in the same run, on the same stack, with the same messages,
interleaved, so the ratio shows what the gateway adds (triage, Redis session
and inbox writes, routing) on top of Rasa + the action server.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bot.config import ROOT, Settings
from bot.services import Stack, redis_env

MESSAGES = [
    "hello",
    "what are the OPD timings?",
    "when can I visit my father in the ward",
    "where is the hospital",
    "how much is the consultation fee",
    "are my blood reports ready",
    "thank you",
    "नमस्ते",
    "ओपीडी कब खुलती है",
    "अस्पताल का पता क्या है",
    "visiting time kya hai",
    "report kab milegi",
    "bill kitna hoga",
    "bye",
]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BenchStack:
    """The stack plus a gateway in its own process, as in production."""

    stack: Stack
    gateway: subprocess.Popen[bytes]
    gateway_url: str
    settings: Settings

    def stop(self) -> None:
        self.gateway.terminate()
        self.gateway.wait(15)
        self.stack.stop()


def start_bench_stack(
    log_dir: Path, workers: int = 0, gateway_env: dict[str, str] | None = None
) -> BenchStack:
    """Redis, Rasa, actions, ``workers`` answer workers and a gateway process
    (with ``gateway_env`` added to its environment)."""
    settings = Settings(
        redis_port=_free_port(),
        actions_port=_free_port(),
        rasa_url=f"http://127.0.0.1:{_free_port()}",
        port=_free_port(),
    )
    stack = Stack(settings, log_dir, workers=workers)
    stack.start()
    env = {
        **os.environ,
        **redis_env(stack.redis_url, settings),
        "CAREBOT_RASA_URL": settings.rasa_url,
        "CAREBOT_LOG_LEVEL": "WARNING",
        "CAREBOT_ANSWER_WAIT_SECONDS": "120",
        **(gateway_env or {}),
    }
    gateway = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bot.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(settings.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(log_dir / "gateway.log").open("ab"),
    )
    url = f"http://127.0.0.1:{settings.port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return BenchStack(stack, gateway, url, settings)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gateway not ready; see {log_dir / 'gateway.log'}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def compare_latency(bench: BenchStack, rounds: int = 20) -> dict[str, dict[str, float]]:
    """Sequential turns, alternating gateway and direct webhook, same messages."""
    via_gateway: list[float] = []
    via_rasa: list[float] = []
    async with httpx.AsyncClient(timeout=30) as http:
        for warm in range(2):  # warm both paths (model graphs, connections)
            await http.post(
                f"{bench.gateway_url}/api/v1/messages",
                json={"session_id": f"warm-{warm}", "text": "hello"},
            )
            await http.post(
                f"{bench.settings.rasa_url}/webhooks/rest/webhook",
                json={"sender": f"warm-r-{warm}", "message": "hello"},
            )
        for r in range(rounds):
            for i, text in enumerate(MESSAGES):
                started = time.perf_counter()
                response = await http.post(
                    f"{bench.gateway_url}/api/v1/messages",
                    json={"session_id": f"g-{r}-{i}", "text": text},
                )
                via_gateway.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                started = time.perf_counter()
                response = await http.post(
                    f"{bench.settings.rasa_url}/webhooks/rest/webhook",
                    json={
                        "sender": f"r-{r}-{i}",
                        "message": text,
                        "metadata": {"language": "en", "locale": "IN"},
                    },
                )
                via_rasa.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    return {
        name: {
            "p50": statistics.median(v),
            "p90": _percentile(v, 0.9),
            "p99": _percentile(v, 0.99),
            "n": float(len(v)),
        }
        for name, v in (("gateway", via_gateway), ("rasa", via_rasa))
    }


async def sustained_throughput(
    bench: BenchStack, sessions: int = 200, turns_per_session: int = 5
) -> dict[str, float]:
    """``sessions`` concurrent conversations, each sending turns back to back."""
    errors = 0
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:

        async def conversation(n: int) -> None:
            nonlocal errors
            for t in range(turns_per_session):
                text = MESSAGES[(n + t) % len(MESSAGES)]
                try:
                    response = await http.post(
                        f"{bench.gateway_url}/api/v1/messages",
                        json={"session_id": f"load-{n}", "text": text},
                    )
                    errors += response.status_code != 200
                except httpx.HTTPError:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(conversation(n) for n in range(sessions)))
        elapsed = time.perf_counter() - started
    turns = sessions * turns_per_session
    return {
        "sessions": sessions,
        "turns": turns,
        "seconds": elapsed,
        "turns_per_s": turns / elapsed,
        "errors": errors,
    }


def process_rss(bench: BenchStack) -> dict[str, float]:
    """Resident memory of each process, in MiB."""
    pids = {p.name: p.popen.pid for p in bench.stack.processes if p.popen}
    pids["gateway"] = bench.gateway.pid
    result = {}
    for name, pid in pids.items():
        proc = psutil.Process(pid)
        rss = proc.memory_info().rss + sum(
            c.memory_info().rss for c in proc.children(recursive=True)
        )
        result[name] = rss / 2**20
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmd = " ".join(proc.info.get("cmdline") or [])
        if (
            "redis-server" in (proc.info.get("name") or "")
            and f":{bench.settings.redis_port}" in cmd
        ):
            result["redis"] = proc.memory_info().rss / 2**20
    return result
