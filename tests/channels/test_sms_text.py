"""SMS counting and splitting, as a patient's phone would see the messages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.sms_text import sms_size, sms_units, split_message


def test_plain_english_is_gsm7_and_fits_160_in_one_message() -> None:
    size = sms_size("a" * 160)
    assert (size.encoding, size.units, size.segments) == ("GSM-7", 160, 1)
    assert sms_size("a" * 161).segments == 2  # 153 per segment once split
    assert sms_size("a" * 307).segments == 3


def test_extension_characters_count_twice() -> None:
    assert sms_units("Rs 500 [fee] €") == len("Rs 500 [fee] €") + 3


def test_hindi_switches_the_whole_message_to_ucs2() -> None:
    size = sms_size("OPD सुबह 9 बजे खुलती है")
    assert size.encoding == "UCS-2" and size.units == len("OPD सुबह 9 बजे खुलती है")
    assert sms_size("क" * 70).segments == 1 and sms_size("क" * 71).segments == 2


def test_an_emoji_counts_two_ucs2_units() -> None:
    assert sms_size("ok 🙂").units == 5


def test_a_short_reply_is_sent_whole() -> None:
    assert split_message("The OPD opens at 9:00 am.", 320) == ["The OPD opens at 9:00 am."]


def test_a_long_reply_is_cut_between_sentences() -> None:
    sentences = [f"Sentence number {n} says something useful." for n in range(12)]
    parts = split_message(" ".join(sentences), 160)
    assert len(parts) > 1
    assert all(sms_units(p) <= 160 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == " ".join(sentences)


def test_hindi_is_cut_at_the_danda_within_the_ucs2_limit() -> None:
    text = "डेंगू में आराम करें। भरपूर पानी पिएँ। " * 6
    parts = split_message(text, 70)
    assert all(sms_units(p) <= 70 for p in parts)
    assert all(p.endswith("।") for p in parts)


def test_a_sentence_longer_than_a_message_is_cut_between_words() -> None:
    words = ["word"] * 100
    parts = split_message(" ".join(words), 50)
    assert all(sms_units(p) <= 50 for p in parts)
    assert " ".join(parts).split() == words


@given(st.text(min_size=1, max_size=800), st.integers(min_value=20, max_value=400))
def test_nothing_is_lost_and_no_part_is_too_long(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < sms_units(p) <= limit for p in parts)
    # only the whitespace at the cuts may change
    assert "".join("".join(parts).split()) == "".join(text.split())
