"""Queue and worker tests get a Redis of their own.

The session stack (tests/conftest.py) runs a real answer worker on the shared
test Redis, which would take these tests' jobs; here every job must reach the
worker the test controls.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services import EmbeddedRedis
from tests.helpers import free_port


@pytest.fixture(scope="module")
def redis_server() -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(free_port())
    server.start()
    yield server
    server.stop()
