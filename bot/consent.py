"""Opt-out and opt-in keywords, matched exactly so they work even when NLU would not.

Free-text requests ("please stop messaging me") reach Rasa's ``opt_out``
intent; these single-word commands are carrier conventions (SMS STOP/START)
and must be honoured deterministically.
"""

from __future__ import annotations

import re

STOP_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "optout",
        "opt-out",
        "opt out",
        "revoke",
        "बंद",
        "बंद करो",
        "band karo",
        "band",
    }
)
START_WORDS = frozenset({"start", "unstop", "subscribe", "शुरू", "शुरू करो", "shuru", "shuru karo"})
_PUNCTUATION = re.compile(r"[\s.!।]+")


def _normalise(text: str) -> str:
    return _PUNCTUATION.sub(" ", text).strip().casefold()


def is_stop_command(text: str) -> bool:
    """True for a bare opt-out command such as ``STOP``."""
    return _normalise(text) in STOP_WORDS


def is_start_command(text: str) -> bool:
    """True for a bare opt-in command such as ``START``."""
    return _normalise(text) in START_WORDS
