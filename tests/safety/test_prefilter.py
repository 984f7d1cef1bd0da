"""The prefix filter only ever skips patterns that cannot match."""

from __future__ import annotations

from bot.safety.prefilter import match_prefixes


def test_match_prefixes_are_sound() -> None:
    assert match_prefixes(r"(?<!\S)(?:chest|chst) pain") == frozenset({"che", "chs"})
    assert match_prefixes(r"(?<!\S)(?:\S+ ){0,3}pain") is None
    assert match_prefixes(r"(?<!\S)(?:a|b)?cd") == frozenset({"a", "b", "cd"})
