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
HELP_WORDS = frozenset({"help", "info", "मदद", "सहायता", "madad", "sahayata"})
_PUNCTUATION = re.compile(r"[\s.!।]+")
# Opting out silences the bot, so a free-text opt-out (Rasa's `opt_out` intent) is
# honoured only when it is short ("stop please") or speaks of messages stopping; otherwise
# "should I stop breastfeeding?" would silence a patient who asked a health question.
_ABOUT_MESSAGES = re.compile(
    r"\b(?:messag\w*|msgs?|sms|texts?|texting|whats ?app|notifications?|reminders?|alerts?|"
    r"spam\w*|unsub\w*|number|list|contact)\b|"
    r"मैसेज|संदेश|एसएमएस|सूचना|रिमाइंडर|नंबर|सूची|व्हाट्सएप|संपर्क|अनसब्सक्राइब",
    re.IGNORECASE,
)
# ...and asks for them to stop: "what is the tele manas number" speaks of a number
# but asks for one
_STOPPING = re.compile(
    r"\b(?:stop\w*|unsub\w*|opt ?out|remove|delete|take me off|no more|don'?t|do not|"
    r"anymore|never|mat|band|hata\w*|nahi?n? chahiye)\b|"
    r"बंद|मत|हटा|नहीं चाहिए|अनसब्सक्राइब",
    re.IGNORECASE,
)
SHORT_OPT_OUT_WORDS = 3


def _normalise(text: str) -> str:
    return _PUNCTUATION.sub(" ", text).strip().casefold()


def is_stop_command(text: str) -> bool:
    """True for a bare opt-out command such as ``STOP``."""
    return _normalise(text) in STOP_WORDS


def is_start_command(text: str) -> bool:
    """True for a bare opt-in command such as ``START``."""
    return _normalise(text) in START_WORDS


def is_help_command(text: str) -> bool:
    """True for a bare ``HELP`` (the carrier convention): the hospital's contact details."""
    return _normalise(text) in HELP_WORDS


def is_opt_out_request(text: str) -> bool:
    """Whether a message Rasa read as an opt-out can really be one: short, or asking
    for messages to stop (see _ABOUT_MESSAGES and _STOPPING)."""
    if len(text.split()) <= SHORT_OPT_OUT_WORDS:
        return True
    return bool(_ABOUT_MESSAGES.search(text) and _STOPPING.search(text))
