"""`carebot run` starts every process, serves the API, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from tests.helpers import free_port

pytestmark = pytest.mark.slow


def test_run_serves_and_ctrl_c_stops_everything(tmp_path: object) -> None:
    ports = {
        "CAREBOT_PORT": free_port(),
        "CAREBOT_REDIS_PORT": free_port(),
        "CAREBOT_ACTIONS_PORT": free_port(),
    }
    rasa_port = free_port()
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "CAREBOT_RASA_URL": f"http://127.0.0.1:{rasa_port}",
    }
    env.pop("CAREBOT_REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{ports['CAREBOT_PORT']}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, "carebot run exited during start-up"
            assert time.monotonic() < deadline, "carebot run did not become ready"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 3  # redis-server, rasa, action server
        answer = httpx.post(
            f"{base}/api/v1/messages", json={"session_id": "run-1", "text": "hello"}, timeout=30
        ).json()
        assert answer["intent"] == "greet"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
    _gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == [], f"left running: {[p.name() for p in alive]}"
    for port in (*ports.values(), rasa_port):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
