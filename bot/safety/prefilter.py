"""A fast, exact-in-one-direction filter: which regexes can match a text at all.

Triage has ~500 rule patterns; searching all of them in every message costs
about a millisecond. Each regex's possible first characters are read from its
parse tree at start-up, so a message is only searched with patterns that could
begin at one of its words. The filter never drops a pattern that could match
(``tests/safety/test_triage.py`` checks this against brute force).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

_WORD_START = re.compile(r"(?<!\S)\S")


class Prefilter:
    """Which regexes can match a text at all, judged by how their matches must begin.

    Searching all ~500 rule patterns in every message costs about a millisecond;
    most cannot match because no word of the message starts the way they must.
    The prefixes are read from each regex's parse tree, so the filter is exact in
    one direction: it never drops a pattern that could match.
    """

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self._always: set[int] = set()
        self._by_prefix: dict[str, set[int]] = {}
        for pattern in patterns:
            prefixes = match_prefixes(pattern.pattern)
            if prefixes is None:
                self._always.add(id(pattern))
            for prefix in prefixes or ():
                self._by_prefix.setdefault(prefix, set()).add(id(pattern))

    def candidates(self, text: str) -> set[int]:
        """``id()`` of every pattern that may match somewhere in ``text``."""
        found = set(self._always)
        lookup = self._by_prefix.get
        for word in _WORD_START.finditer(text):
            start = word.start()
            for length in range(1, PREFIX_LENGTH + 1):
                hit = lookup(text[start : start + length])
                if hit:
                    found |= hit
        return found


# The regex parser is private to the re module but stable within a Python version;
# it is only used at start-up and any node it does not know ends a prefix early.
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("re._constants")
PREFIX_LENGTH = 3
_MAX_PREFIXES = 5000


def match_prefixes(regex: str) -> frozenset[str] | None:
    """Strings of up to 3 characters one of which starts every match of ``regex``.

    Returns ``None`` when a match may start with anything (no filtering possible).
    """
    done, growing = _grow(list(_parser.parse(regex)), {""})
    prefixes = done | growing
    return None if "" in prefixes else frozenset(prefixes)


def _grow(nodes: list[Any], growing: set[str]) -> tuple[set[str], set[str]]:
    """Extend prefixes through ``nodes``: (prefixes that stop here, prefixes still growing)."""
    done: set[str] = set()
    for op, arg in nodes:
        if not growing:
            break
        if op is _sre.LITERAL:
            growing = {p + chr(arg) for p in growing}
        elif op is _sre.IN and all(kind is _sre.LITERAL for kind, _ in arg) and len(arg) <= 8:
            growing = {p + chr(c) for p in growing for _, c in arg}
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero-width: consumes nothing
        elif op is _sre.SUBPATTERN:
            stopped, growing = _grow(list(arg[-1]), growing)
            done |= stopped
        elif op is _sre.BRANCH:
            results = [_grow(list(alt), set(growing)) for alt in arg[1]]
            done.update(*(stopped for stopped, _ in results))
            growing = set().union(*(grown for _, grown in results))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, high, sub = arg
            stopped, taken = _grow(list(sub), set(growing))
            done |= stopped
            if low == 1 and high == 1:
                growing = taken
            else:  # after one repetition anything may follow: stop those prefixes
                done |= taken
                if low > 0:
                    growing = set()
        else:  # a class, a category, "any character": the prefix cannot grow
            done |= growing
            growing = set()
        full = {p for p in growing if len(p) >= PREFIX_LENGTH}
        done |= full
        growing -= full
        if len(done) + len(growing) > _MAX_PREFIXES:  # shorter prefixes are still sound
            return {p[:1] for p in done | growing}, set()
    return done, growing
