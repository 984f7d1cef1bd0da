"""SMS length as a phone network counts it, and splitting long replies between sentences.

A text made only of GSM-7 characters costs one septet per character (two for
the extension characters such as ``€ [ ] { } ~``); any other character (Hindi,
most emoji) switches the whole message to UCS-2, where every UTF-16 code unit
counts. A single SMS holds 160 septets or 70 UCS-2 units; a long one is sent
as segments of 153 or 67 (the rest carries the reassembly header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

Encoding = Literal["GSM-7", "UCS-2"]
SINGLE = {"GSM-7": 160, "UCS-2": 70}
PER_SEGMENT = {"GSM-7": 153, "UCS-2": 67}
# a sentence ends at . ! ? or the Devanagari danda, followed by space
_SENTENCE_END = re.compile(r"(?<=[.!?।])\s+")


@dataclass(frozen=True, slots=True)
class SmsSize:
    """How a text travels as SMS."""

    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _gsm_septets(text: str) -> int | None:
    try:
        return len(text.encode("gsm03.38"))
    except UnicodeEncodeError:
        return None


def sms_size(text: str) -> SmsSize:
    """Encoding, length in units and number of segments of one message."""
    septets = _gsm_septets(text)
    if septets is not None:
        encoding: Encoding = "GSM-7"
        units = septets
    else:
        encoding = "UCS-2"
        units = len(text.encode("utf-16-le")) // 2
    if units <= SINGLE[encoding]:
        return SmsSize(encoding, units, 1 if units else 0)
    return SmsSize(encoding, units, -(-units // PER_SEGMENT[encoding]))


def sms_units(text: str) -> int:
    """Length of ``text`` in the units its encoding counts."""
    return sms_size(text).units


def split_message(text: str, max_units: int) -> list[str]:
    """Split a reply into messages of at most ``max_units`` SMS units each.

    Cuts fall between sentences where possible, then between words, and only
    inside a word that alone is longer than a message. Paragraph breaks are
    kept inside a message.
    """
    if max_units < 1:
        raise ValueError("max_units must be positive")
    text = text.strip()
    if not text:
        return []
    if sms_units(text) <= max_units:
        return [text]
    pieces = [
        piece for sentence in _SENTENCE_END.split(text) for piece in _fit(sentence, max_units)
    ]
    return _pack(pieces, max_units, " ")


def _fit(sentence: str, max_units: int) -> list[str]:
    """A sentence as pieces that each fit: whole if it does, else by words."""
    if sms_units(sentence) <= max_units:
        return [sentence]
    chunks = [chunk for word in sentence.split(" ") for chunk in _chunks(word, max_units)]
    return _pack(chunks, max_units, " ")


def _pack(pieces: list[str], max_units: int, joiner: str) -> list[str]:
    """Join consecutive pieces while the result fits; each piece fits on its own."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        if not piece:
            continue
        joined = f"{current}{joiner}{piece}" if current else piece
        if sms_units(joined) <= max_units:
            current = joined
        else:
            packed.append(current)
            current = piece
    return [*packed, current] if current else packed


def _chunks(word: str, max_units: int) -> list[str]:
    """A word longer than a message, cut into pieces that fit (a URL, say)."""
    if sms_units(word) <= max_units:
        return [word]
    return _pack(list(word), max_units, "")
