"""Structured, redacted audit log: one JSON line per event, never patient text.

Sessions are named by a short hash so a log reader can follow a conversation
without learning who it was (a session id may be a phone number on SMS).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from typing import Any

logger = logging.getLogger("carebot.audit")


def session_hash(session_id: str) -> str:
    """A stable, non-reversible short name for a session in logs."""
    return hashlib.sha256(session_id.encode()).hexdigest()[:12]


def log_event(
    event: str, *, session_id: str | None = None, level: int = logging.INFO, **fields: Any
) -> None:
    """Write one JSON log line; callers pass metadata only (routes, rules, timings)."""
    record: dict[str, Any] = {"event": event}
    if session_id is not None:
        record["session"] = session_hash(session_id)
    record.update(fields)
    logger.log(level, json.dumps(record, ensure_ascii=False, default=str))


def configure_logging(level: str) -> None:
    """Send carebot's JSON lines to stderr at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("carebot")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
