"""Safety triage: does this message describe an emergency or a mental-health crisis?

Every inbound message passes through :func:`triage` before anything else. The
decision is deterministic and explainable: rules from ``data/triage/`` match
normalised text, and a match is dropped only for a reason that can be named.

1. Normalise (:class:`~bot.safety.lexicon.Folder`), split into sentences and clauses,
   fix SMS spellings and one-letter typos, blank out idioms.
2. Match every rule's patterns. A match is dropped when
   - the whole message is an informational question with nobody affected
     ("what are the signs of a stroke?"),
   - a negation cue negates it in its clause ("no chest pain", "dard nahi hai"),
   - its clause (or sentence) is past history without a present cue
     ("had a stroke in 2019"), or
   - the pattern's ``unless`` phrase is near it ("mild headache").
3. Crisis outranks emergency: the crisis reply also carries the ambulance number.

A missed emergency is far worse than a false alarm, so suppression needs a cue in
the data; when in doubt the rule fires.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.safety.language import Language, detect_language
from bot.safety.lexicon import (
    DEFAULT_LEXICON_DIR,
    Category,
    Lexicon,
    LexiconError,
    Pattern,
    Rule,
    load_lexicon,
)
from bot.safety.prefilter import Prefilter

__all__ = ["LexiconError", "Triage", "TriageResult", "load_triage", "triage"]

# Where a hospital's own lexicons live, if not in the repository's data/triage/.
LEXICON_DIR_ENV = "CAREBOT_TRIAGE_DIR"

_SENTENCES = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?;\n\r\u0964\u0965]")
_CLAUSES = re.compile(r"[,:()\[\]{}\"|*]|\s[-\u2013\u2014]+\s|--+")
_WORDS = re.compile(r"[a-z0-9]+|[\u0900-\u0963\u0966-\u097f]+")
_NOT_SPACE = re.compile(r"\S")

Reason = Literal["question", "negated", "history", "unless"]


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What triage decided about one message.

    Attributes:
        category: ``"emergency"``, ``"crisis"`` or ``None`` when not urgent.
        rules: Ids of every rule that fired, e.g. ``("emergency.chest_pain",)``.
        language: The language the message was written in.
        suppressed: Why matches were dropped, for audit and debugging, e.g.
            ``("emergency.stroke:history", "idiom:dying_figurative")``. Not compared.
    """

    category: Category | None
    rules: tuple[str, ...]
    language: Language
    suppressed: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_urgent(self) -> bool:
        """True when the message needs the emergency or crisis reply."""
        return self.category is not None


@dataclass(frozen=True, slots=True)
class _Clause:
    start: int
    end: int
    sentence: int


@dataclass(slots=True)
class _Message:
    """A normalised message: clauses joined by newlines, so no pattern spans two."""

    text: str  # idioms blanked
    cue_text: str  # also pseudo-negations blanked, for negation cues
    clauses: list[_Clause]
    starts: list[int]
    idioms: list[str]
    informational: bool | None = None
    # per clause: None when the clause has no time cue, else (position, is_history) cues
    time_cues: dict[int, list[tuple[int, bool]] | None] = field(default_factory=dict)

    def clause_at(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def sentence_span(self, sentence: int) -> tuple[int, int]:
        spans = [c for c in self.clauses if c.sentence == sentence]
        return spans[0].start, spans[-1].end

    def sentence_text(self, sentence: int) -> str:
        start, end = self.sentence_span(sentence)
        return self.text[start:end]


class Triage:
    """Triage over one compiled lexicon. Use :func:`load_triage` to build one."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._parts = Prefilter(part for r in lexicon.rules for p in r.patterns for part in p.parts)
        self._idioms = Prefilter(idiom for _, idiom in lexicon.idioms)
        # A pattern is tried only when its first part is a candidate: part id -> patterns.
        self._by_first_part: dict[int, list[tuple[int, int]]] = {}
        for rule_index, rule in enumerate(lexicon.rules):
            for pattern_index, pattern in enumerate(rule.patterns):
                key = id(pattern.parts[0])
                self._by_first_part.setdefault(key, []).append((rule_index, pattern_index))

    def triage(self, text: str) -> TriageResult:
        """Classify one message; see :func:`triage`."""
        message = self._normalise(text)
        fired: list[Rule] = []
        suppressed: list[str] = [f"idiom:{idiom}" for idiom in message.idioms]
        for rule, patterns in self._candidate_patterns(message.text):
            reasons: set[Reason] = set()
            if any(self._pattern_fires(p, message, reasons) for p in patterns):
                fired.append(rule)
            elif reasons:
                suppressed.extend(f"{rule.id}:{reason}" for reason in sorted(reasons))
        categories = {rule.category for rule in fired}
        category: Category | None = (
            "crisis" if "crisis" in categories else "emergency" if categories else None
        )
        return TriageResult(
            category=category,
            rules=tuple(rule.id for rule in fired),
            language=detect_language(text),
            suppressed=tuple(suppressed),
        )

    def _candidate_patterns(self, text: str) -> list[tuple[Rule, list[Pattern]]]:
        """The rules, in lexicon order, with the patterns that may match ``text``."""
        candidates = self._parts.candidates(text)
        live: dict[int, list[int]] = {}
        for part in candidates:
            for rule_index, pattern_index in self._by_first_part.get(part, ()):
                live.setdefault(rule_index, []).append(pattern_index)
        selected: list[tuple[Rule, list[Pattern]]] = []
        for rule_index in sorted(live):
            rule = self.lexicon.rules[rule_index]
            patterns = [rule.patterns[i] for i in sorted(live[rule_index])]
            selected.append((rule, [p for p in patterns if _all_in(p, candidates)]))
        return selected

    # -- normalisation -----------------------------------------------------------

    def _normalise(self, text: str) -> _Message:
        lex = self.lexicon
        pieces: list[str] = []
        clauses: list[_Clause] = []
        position = 0

        def close(words: list[str], sentence: int) -> None:
            nonlocal position
            if words:
                piece = " ".join(words)
                clauses.append(_Clause(position, position + len(piece), sentence))
                pieces.append(piece)
                position += len(piece) + 1

        for number, sentence in enumerate(_SENTENCES.split(lex.folder.fold(text))):
            for chunk in _CLAUSES.split(sentence):
                words: list[str] = []
                for raw in _WORDS.findall(chunk):
                    for word in lex.substitutions.get(raw, (raw,)):
                        word = lex.speller.correct(word)
                        if word in lex.clause_breaks:
                            close(words, number)
                            words = []
                        else:
                            words.append(word)
                close(words, number)

        joined = "\n".join(pieces)
        idioms: list[str] = []
        candidates = self._idioms.candidates(joined)
        for idiom_id, idiom in lex.idioms:
            if id(idiom) not in candidates:
                continue
            blanked = idiom.sub(_blank, joined)
            if blanked != joined:
                idioms.append(idiom_id)
                joined = blanked
        return _Message(
            text=joined,
            cue_text=lex.pseudo_negation.sub(_blank, joined),
            clauses=clauses,
            starts=[c.start for c in clauses],
            idioms=idioms,
        )

    # -- matching ----------------------------------------------------------------

    def _pattern_fires(self, pattern: Pattern, message: _Message, reasons: set[Reason]) -> bool:
        """True when every part of the pattern has a live match within its scope."""
        matches = [list(part.finditer(message.text)) for part in pattern.parts]
        if not all(matches):
            return False
        # A negation inside another part's match belongs to that part's symptom
        # ("navjat bacha doodh nahi pi raha": the "nahi" does not negate the baby).
        spans = [match.span() for found in matches for match in found]
        found: list[set[int]] = []
        past: list[set[int]] = []
        for part_matches in matches:
            live, history = set(), set()
            for match in part_matches:
                clause = message.clause_at(match.start())
                reason = self._why_dropped(message, clause, match, pattern, spans)
                if reason is None:
                    live.add(clause)
                elif reason == "history":
                    history.add(clause)
                else:
                    reasons.add(reason)
            found.append(live)
            past.append(history)
        # In a compound pattern the cause is often past while the danger sign is now
        # ("hit his head yesterday, now vomiting"): past parts count once a part is current.
        if len(found) > 1 and any(found):
            found = [live | history for live, history in zip(found, past, strict=True)]
        if any(history for history in past):
            reasons.add("history")
        if not all(found):
            return False
        if pattern.scope == "message" or len(found) == 1:
            return True
        if pattern.scope == "sentence":
            found = [{message.clauses[c].sentence for c in hits} for hits in found]
        return bool(set.intersection(*found))

    def _why_dropped(
        self,
        message: _Message,
        clause: int,
        match: re.Match[str],
        pattern: Pattern,
        spans: list[tuple[int, int]],
    ) -> Reason | None:
        if self._is_informational(message):
            return "question"
        if self._is_negated(message, clause, match.start(), match.end(), spans):
            return "negated"
        if self._is_history(message, clause, match.start(), match.end()):
            return "history"
        if pattern.unless is not None:
            span = message.clauses[clause]
            start, end = {
                "clause": (span.start, span.end),
                "sentence": message.sentence_span(span.sentence),
                "message": (0, len(message.text)),
            }[pattern.unless_scope]
            if pattern.unless.search(message.text, start, end):
                return "unless"
        return None

    def _is_informational(self, message: _Message) -> bool:
        if message.informational is None:
            lex = self.lexicon
            message.informational = bool(
                lex.question_frames.search(message.text)
                and not lex.personal_cues.search(message.text)
            )
        return message.informational

    def _is_negated(
        self, message: _Message, clause: int, start: int, end: int, spans: list[tuple[int, int]]
    ) -> bool:
        lex = self.lexicon
        span = message.clauses[clause]
        before = _outside(message.cue_text, span.start, start, spans).split()[-lex.before_window :]
        for index in range(len(before) - 1, -1, -1):
            if before[index] in lex.scope_breakers:
                before = before[index + 1 :]
                break
        if before and lex.negation_before.search(" ".join(before)):
            return True
        after = _outside(message.cue_text, end, span.end, spans).split()[: lex.after_window]
        for index, word in enumerate(after):
            if word in lex.scope_breakers:
                after = after[:index]
                break
        return bool(after) and lex.negation_after.search(" ".join(after)) is not None

    def _is_history(self, message: _Message, clause: int, start: int, end: int) -> bool:
        """Past history: the time cue nearest the match says so, and nothing says "now".

        In "had a stroke in 2019 and now my face is drooping" the stroke is history
        (its nearest cue is "in 2019") and the drooping is not (its cue is "now").
        A clause without time cues takes its sentence's: history only when the
        sentence has a history cue and no present cue.
        """
        lex = self.lexicon
        span = message.clauses[clause]
        sentence = message.sentence_text(span.sentence)
        if lex.recurrence.search(sentence):
            return False
        if clause not in message.time_cues:
            found = [(m.end(), True) for m in lex.history.finditer(message.text, *_span(span))]
            found += [(m.end(), False) for m in lex.present.finditer(message.text, *_span(span))]
            message.time_cues[clause] = sorted(found) or None
        cues = message.time_cues[clause]
        if cues is None:
            return bool(lex.history.search(sentence) and not lex.present.search(sentence))
        before = [is_history for position, is_history in cues if position <= start]
        if before:
            return before[-1]
        after = [is_history for position, is_history in cues if position > end]
        return after[0] if after else False


def _outside(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[start:end]`` with the given spans blanked out."""
    piece = text[start:end]
    for span_start, span_end in spans:
        if span_start < end and span_end > start:
            a, b = max(span_start, start) - start, min(span_end, end) - start
            piece = piece[:a] + _NOT_SPACE.sub("_", piece[a:b]) + piece[b:]
    return piece


def _span(clause: _Clause) -> tuple[int, int]:
    return clause.start, clause.end


def _all_in(pattern: Pattern, candidates: set[int]) -> bool:
    return all(id(part) in candidates for part in pattern.parts)


def _blank(match: re.Match[str]) -> str:
    # Same length, spaces kept: positions and word counts stay valid.
    return _NOT_SPACE.sub("_", match.group())


def load_triage(directory: Path | None = None) -> Triage:
    """Build a :class:`Triage` from a lexicon directory, validating every file.

    Args:
        directory: Defaults to ``$CAREBOT_TRIAGE_DIR`` or the repository's ``data/triage/``.

    Returns:
        A ready triage.

    Raises:
        LexiconError: A lexicon file is missing or invalid (names file and rule).
    """
    if directory is None:
        directory = Path(os.environ.get(LEXICON_DIR_ENV) or DEFAULT_LEXICON_DIR)
    return Triage(load_lexicon(directory))


@functools.cache
def default_triage() -> Triage:
    """The process-wide triage, loaded once from the default lexicon directory."""
    return load_triage()


def triage(text: str) -> TriageResult:
    """Decide whether a patient's message is an emergency, a crisis, or neither.

    Deterministic: the same text always gives the same result. The first call loads
    and validates the lexicons (and raises :class:`LexiconError` if they are bad).

    Args:
        text: The message exactly as the patient sent it.

    Returns:
        The category (``None`` when not urgent), the ids of the rules that fired,
        and the message's language.
    """
    return default_triage().triage(text)
