"""Which language a patient wrote in: English, Hindi (Devanagari) or Hinglish.

Deterministic and cheap (a few microseconds): a message with enough Devanagari words
is Hindi; a Latin-script message is Hinglish when enough of its words are in the
romanised-Hindi word list ``data/triage/hinglish_words.yaml``; anything else is English.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

import yaml

from bot.safety.lexicon import DEFAULT_LEXICON_DIR, LexiconError

Language = Literal["en", "hi", "hinglish"]

WORDS_FILE = DEFAULT_LEXICON_DIR / "hinglish_words.yaml"

# Share of words that must be Devanagari for "hi": a Hindi sentence with an English
# word or two ("मुझे appointment चाहिए") is still Hindi.
DEVANAGARI_SHARE = 0.3
# Share of Latin words that must be Hinglish for "hinglish"; a long message needs
# fewer ("please book appointment for my bhai" stays English).
HINGLISH_SHARE = 0.25
HINGLISH_SHARE_LONG = 0.15
HINGLISH_MIN_HITS_LONG = 3

_WORD = re.compile(r"[a-z]+|[\u0900-\u0963\u0966-\u097f]+")
_REPEATS = re.compile(r"([a-z])\1+")


@functools.cache
def hinglish_words(path: Path = WORDS_FILE) -> frozenset[str]:
    """Load the romanised-Hindi word list (cached).

    Args:
        path: The YAML file with a ``words`` list or mapping of lists.

    Returns:
        The words, lower-cased with repeated letters collapsed.

    Raises:
        LexiconError: The file is missing or malformed.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise LexiconError(f"{path}: cannot load: {err}") from err
    groups = data.get("words") if isinstance(data, dict) else None
    lists = groups.values() if isinstance(groups, dict) else [groups]
    words = [w for group in lists if isinstance(group, list) for w in group]
    if not words or not all(isinstance(w, str) and w.isalpha() for w in words):
        raise LexiconError(f"{path}: 'words' must be lists of single words")
    return frozenset(_REPEATS.sub(r"\1", w.lower()) for w in words)


def detect_language(text: str) -> Language:
    """Guess the language of a patient's message.

    Args:
        text: The message as received.

    Returns:
        ``"hi"`` for Devanagari Hindi, ``"hinglish"`` for romanised Hindi, else ``"en"``.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return "en"
    devanagari = sum(1 for w in words if w[0] >= "\u0900")
    if devanagari and devanagari >= DEVANAGARI_SHARE * len(words):
        return "hi"
    latin = len(words) - devanagari
    known = hinglish_words()
    hits = sum(1 for w in words if w[0] < "\u0900" and _REPEATS.sub(r"\1", w) in known)
    share = hits / latin if latin else 0.0
    if hits and (
        share >= HINGLISH_SHARE or (hits >= HINGLISH_MIN_HITS_LONG and share >= HINGLISH_SHARE_LONG)
    ):
        return "hinglish"
    return "en"
