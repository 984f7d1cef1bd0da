"""Language detection: English, Hindi in Devanagari, and romanised Hindi (Hinglish)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.safety.language import detect_language, hinglish_words
from bot.safety.lexicon import LexiconError

CASES: list[tuple[str, str]] = [
    # English, including medical words and SMS spelling
    ("I can't breathe", "en"),
    ("book appointment", "en"),
    ("visiting hours?", "en"),
    ("my father has chest pain and is sweating", "en"),
    ("cant breth pls help", "en"),
    ("what are the signs of a stroke?", "en"),
    ("please book an appointment for my bhai", "en"),
    ("hi", "en"),
    ("ok thanks", "en"),
    ("", "en"),
    ("123 456", "en"),
    ("😀🙏", "en"),
    ("Dr. शर्मा appointment please tomorrow morning", "en"),
    # Hindi in Devanagari, with or without English words mixed in
    ("सीने में दर्द", "hi"),
    ("सांस नहीं आ रही", "hi"),
    ("मैं मरना चाहता हूं", "hi"),
    ("बेहोश हो गए", "hi"),
    ("मुझे अपॉइंटमेंट चाहिए", "hi"),
    ("मुझे appointment चाहिए", "hi"),
    ("पापा को heart attack आया है", "hi"),
    ("नमस्ते", "hi"),
    # Hinglish
    ("seene me dard", "hinglish"),
    ("saans nahi aa rahi", "hinglish"),
    ("sans nhi le pa raha", "hinglish"),
    ("behosh ho gaya", "hinglish"),
    ("mar jana chahta hu", "hinglish"),
    ("khud ko khatam karna", "hinglish"),
    ("dora pad raha hai", "hinglish"),
    ("khoon nahi ruk raha", "hinglish"),
    ("chest pain nahi hai bas khansi", "hinglish"),
    ("mujhe kal ka appointment chahiye", "hinglish"),
    ("kya aap meri madad kar sakte hain", "hinglish"),
    ("bhai report kab milegi", "hinglish"),
    ("Nahiii yaar, bahuuut dard hai", "hinglish"),
    ("baby ko fever hai", "hinglish"),
    ("PAPA KO SAANS NAHI AA RAHI", "hinglish"),
]


@pytest.mark.parametrize(("text", "language"), CASES)
def test_detects_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_is_fast_enough_for_every_message() -> None:
    messages = [text for text, _ in CASES] * 30
    timings = []
    for text in messages:
        start = time.perf_counter_ns()
        detect_language(text)
        timings.append(time.perf_counter_ns() - start)
    timings.sort()
    assert timings[len(timings) // 2] < 50_000  # median under 50 µs


def test_word_list_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "words.yaml"
    bad.write_text("words: [hai, 'two words']\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"words\.yaml"):
        hinglish_words(bad)
