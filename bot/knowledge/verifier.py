"""Decide whether an abstractive answer may be sent to a patient, by checking its sources.

A small local model that rewrites passages of the knowledge base was measured to flip
negations ("no appointment needed" → "you need an appointment") and to invent hours,
doses, phone numbers and advice. So nothing it writes is trusted: :func:`verify` sends
an answer only when every number, time, date, price, phone number and medicine name in
it occurs in the passages it cites (:mod:`bot.knowledge.facts`), every sentence is
backed by a cited sentence with the same polarity and strength of obligation, and any
diagnosis or prescription is a quote. The checks are deterministic and strict; a
rejected answer costs only style, because the bot then sends verbatim quotes instead.

The words the sentence checks read (negations, modal verbs, opposites, stop words,
diagnosis and prescription phrasing, in English, Hindi and Hinglish) are data in
``data/knowledge/verifier.yml``, validated when first used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from bot.config import ROOT
from bot.knowledge import facts

VOCABULARY_FILE = ROOT / "data" / "knowledge" / "verifier.yml"
MIN_OVERLAP = 0.5  # share of an answer sentence's content words its source sentence must hold

ProblemKind = Literal[
    "citation", "number", "phone", "medicine", "negation", "modality", "advice", "length", "empty"
]
Modal = Literal["strong", "weak", "plain"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the answer may not be sent."""

    kind: ProblemKind
    detail: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Everything found wrong with one answer; an empty verdict means it may be sent."""

    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether the answer may be sent: nothing was found wrong with it."""
        return not self.problems

    @property
    def kinds(self) -> tuple[str, ...]:
        """Sorted unique kinds: safe to log, unlike the details, which quote the answer."""
        return tuple(sorted({p.kind for p in self.problems}))


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- The vocabulary: data/knowledge/verifier.yml -----------------------------------------

_TOKEN = re.compile(rf"[{facts.WORD_CHAR}]+")
_PLACEHOLDER = re.compile(r"(?<![?P])<([a-z]+)>")  # "<med>", but not "(?<!" or "(?P<name>"


def _split(value: object) -> object:
    """'not no never' → ('not', 'no', 'never'); anything else is left to validation."""
    return tuple(value.split()) if isinstance(value, str) else value


def _one_word_each(words: tuple[str, ...]) -> tuple[str, ...]:
    """Folded as sentences are; a word that is not one token could never match."""
    if bad := [word for word in words if not _TOKEN.fullmatch(facts.fold(word))]:
        raise ValueError(f"{bad[0]!r} is not a single word")
    return tuple(map(facts.fold, words))


def _one_word_phrases(phrases: dict[str, str]) -> dict[str, str]:
    """Each phrase becomes one word, which the lists can then name."""
    words = _one_word_each(tuple(phrases.values()))
    return dict(zip(map(facts.fold, phrases), words, strict=True))


def _compiling(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Regular expressions that compile, with no placeholder but <med>."""
    for pattern in patterns:
        if unknown := set(_PLACEHOLDER.findall(pattern)) - {"med"}:
            raise ValueError(f"{pattern!r}: unknown placeholder <{min(unknown)}>")
        try:
            re.compile(pattern.replace("<med>", "(?:med)"))
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
    return patterns


Words = Annotated[tuple[str, ...], BeforeValidator(_split), AfterValidator(_one_word_each)]
Patterns = Annotated[tuple[str, ...], AfterValidator(_compiling)]


class WordList(BaseModel):
    """One list of words, split by language for the reader; all count in any language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: Words = ()
    hi: Words = ()
    hinglish: Words = ()

    @property
    def words(self) -> frozenset[str]:
        """The words of every language."""
        return frozenset((*self.en, *self.hi, *self.hinglish))


class Vocabulary(BaseModel):
    """The verifier's word lists; data/knowledge/verifier.yml explains each one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: Annotated[dict[str, str], AfterValidator(_one_word_phrases)]
    negation: WordList
    without: WordList
    unless: WordList
    must: WordList
    need: WordList
    weak: WordList
    stop_words: WordList
    opposites: tuple[tuple[Words, Words], ...]
    abbreviations: Annotated[tuple[str, ...], BeforeValidator(_split)]
    diagnoses: Patterns
    prescriptions: Patterns


class VocabularyError(ValueError):
    """The verifier's word list file cannot be used; the message names the file and why."""


@cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The verifier's word lists, read and validated once.

    Raises:
        VocabularyError: the file is missing, is not YAML, or does not fit the format.
    """
    try:
        return Vocabulary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise VocabularyError(f"{path}: {where}") from exc


@dataclass(frozen=True, slots=True)
class _Cues:
    """The vocabulary in the shape the sentence checks use."""

    phrases: Mapping[str, str]
    phrase: re.Pattern[str]
    negation: frozenset[str]
    without: frozenset[str]
    unless: frozenset[str]
    unless_alone: frozenset[str]  # an "unless" that brings no negation of its own
    must: frozenset[str]
    need: frozenset[str]
    weak: frozenset[str]
    claimless: frozenset[str]  # left out of a sentence's content words
    opposites: tuple[tuple[frozenset[str], frozenset[str]], ...]
    abbreviation: re.Pattern[str]
    advice: re.Pattern[str]  # a diagnosis or a prescription


@cache
def _cues() -> _Cues:
    v = load_vocabulary()
    alternatives = "|".join(map(re.escape, v.phrases))
    cue_lists = (v.stop_words, v.negation, v.without, v.unless, v.must, v.need, v.weak)
    medicine = f"(?:{facts.medicine_alternation()})"
    advice = [*v.diagnoses, *(p.replace("<med>", medicine) for p in v.prescriptions)]
    return _Cues(
        phrases=v.phrases,
        phrase=re.compile(rf"(?<![{facts.WORD_CHAR}])(?:{alternatives}){facts.WORD_END}"),
        negation=v.negation.words | v.without.words,  # "without" is a negation too
        without=v.without.words,
        unless=v.unless.words,
        unless_alone=frozenset(v.unless.en),
        must=v.must.words,
        need=v.need.words,
        weak=v.weak.words,
        claimless=frozenset().union(*(cue.words for cue in cue_lists)),
        opposites=tuple(
            (frozenset(map(_stem, a)), frozenset(map(_stem, b))) for a, b in v.opposites
        ),
        abbreviation=re.compile(
            rf"(?:^|\W)(?:{'|'.join(map(re.escape, v.abbreviations))})\.$", re.I
        ),
        advice=re.compile("|".join(advice)),
    )


# --- Sentences: polarity, obligation and unsupported statements ------------------------

_SENTENCE_BREAK = re.compile(r"(?<=[.!?।])\s+(?=[^\sa-z])|(?<=।)(?=\S)|\s*[;\n]\s*")


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    words: tuple[str, ...]
    content: frozenset[str]
    negated: bool
    excepted: bool  # has an "unless"
    modal: Modal


def _stem(word: str) -> str:
    """A crude English stem: "doses", "dosing" and "dose" agree, as do "babies" and "baby"."""
    if not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _sentence(text: str) -> _Sentence:
    cues = _cues()
    folded = facts.CITATION.sub(" ", facts.fold(text))
    folded = cues.phrase.sub(lambda m: cues.phrases[m[0]], folded)
    words = tuple(
        facts.canonical_number(w) if w.isdigit() or w in facts.NUMBER_WORDS else w
        for w in _TOKEN.findall(folded)
    )
    negations, excepted, waiting = 0, False, False
    for word in words:
        if word in cues.unless:
            excepted, waiting = True, word not in cues.unless_alone
        elif word in cues.negation and waiting:
            waiting = False  # the न of "जब तक ... न करे" belongs to the "unless"
        elif word in cues.negation:
            negations += 1
    negated, need = negations % 2 == 1, bool(cues.need.intersection(words))
    # "cannot be seen without an appointment" is a requirement, however positive it reads
    required = negations >= 2 and bool(cues.without.intersection(words))
    if cues.must.intersection(words) or (need and not negated) or required:
        modal: Modal = "strong"
    else:
        modal = "weak" if need or cues.weak.intersection(words) else "plain"
    content = frozenset(_stem(w) for w in words if w not in cues.claimless)
    return _Sentence(text, words, content, negated, excepted, modal)


def _sentences(text: str) -> list[_Sentence]:
    """Split at sentence ends and line breaks, but not after "Rs." or "e.g."."""
    pieces, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        if "\n" not in match[0] and _cues().abbreviation.search(text[start : match.start()]):
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [_sentence(piece) for piece in pieces if _TOKEN.search(facts.fold(piece))]


def _closest(sentence: _Sentence, cited: Sequence[_Sentence]) -> list[_Sentence]:
    """The cited sentences holding the largest share (if enough) of its content words.

    All sentences tied for the largest share are returned: when they disagree with each
    other, the answer cannot be shown to follow the right one, so each must agree.
    """
    shares = [len(sentence.content & source.content) / len(sentence.content) for source in cited]
    best = max(shares, default=0.0)
    return [s for s, share in zip(cited, shares, strict=True) if share == best >= MIN_OVERLAP]


def _opposite(answer: _Sentence, source: _Sentence) -> bool:
    """Whether the polarity differs: an odd number of negations, an "unless", or antonyms."""
    if (answer.negated, answer.excepted) != (source.negated, source.excepted):
        return True
    pairs = [(one, other) for a, b in _cues().opposites for one, other in ((a, b), (b, a))]
    said, vetted = answer.content, source.content
    return any(one & said and other & vetted and not one & vetted for one, other in pairs)


def _changes_obligation(answer: _Sentence, source: _Sentence) -> bool:
    """Adding an obligation, or softening one into a permission, changes what to do."""
    added = answer.modal == "strong" != source.modal
    return added or (source.modal == "strong" and answer.modal == "weak")


def _made_up(sentence: _Sentence, cited: Sequence[_Sentence]) -> list[Problem]:
    """Diagnosis or prescription the passages do not word themselves, and words they lack."""
    problems, cues = [], _cues()
    cited_text = f" {' '.join(' '.join(source.words) for source in cited)} "
    for match in cues.advice.finditer(" ".join(sentence.words)):
        if f" {match[0]} " not in cited_text:
            problems.append(Problem("advice", f"diagnosis or prescription {_clip(match[0])!r}"))
    vocabulary = frozenset().union(*(source.content for source in cited))
    # digits are facts, which find_facts checks
    words = {w for w in sentence.words if w not in cues.claimless and not w.isdigit()}
    if new := sorted(w for w in words if _stem(w) not in vocabulary):
        detail = f"words not in the cited passages: {', '.join(new)}"
        problems.append(Problem("advice", _clip(detail, 110)))
    return problems


def _misplaced(sentence: _Sentence, closest: Sequence[_Sentence], known: set[str]) -> list[Problem]:
    """Facts of the cited passages that the paraphrased source sentence does not hold.

    A value moved to another statement is as wrong as an invented one: "the consultation
    costs Rs 300" quotes the follow-up fee.
    """
    near = {fact for source in closest for fact in facts.extract_facts(source.text)}
    return [
        Problem(fact.kind, f"{_clip(fact.text, 40)!r} belongs to another cited sentence")
        for fact in facts.find_facts(sentence.text)
        if fact.text in known and fact.text not in near
    ]


def _sentence_problems(answer: str, sources: Sequence[str]) -> list[Problem]:
    cited = [sentence for source in sources for sentence in _sentences(source)]
    quotes = {sentence.words for sentence in cited}
    known = facts.known_facts(sources)
    problems = []
    for sentence in _sentences(answer):
        if sentence.words in quotes or not sentence.content:
            continue  # a verbatim quote says exactly what the vetted text says
        quoted = repr(_clip(sentence.text))
        problems += _made_up(sentence, cited)
        closest = _closest(sentence, cited)
        problems += _misplaced(sentence, closest, known) if closest else []
        if not closest:
            problems.append(Problem("advice", f"no cited sentence supports {quoted}"))
        elif any(_opposite(sentence, source) for source in closest):
            problems.append(Problem("negation", f"{quoted} disagrees in negation with its source"))
        if changed := [s.modal for s in closest if _changes_obligation(sentence, s)]:
            detail = f"{quoted} is {sentence.modal}, its source {changed[0]}"
            problems.append(Problem("modality", detail))
    return problems


# --- The verdict ------------------------------------------------------------------------


def _fact_problems(answer: str, sources: Sequence[str]) -> list[Problem]:
    """A fact of the answer that no cited passage holds, reported once per fact."""
    known = facts.known_facts(sources)
    missing = {fact.text: fact.kind for fact in facts.find_facts(answer) if fact.text not in known}
    return [
        Problem(kind, f"{_clip(text, 40)!r} is not in the cited passages")
        for text, kind in missing.items()
    ]


def verify(
    answer: str, cited: Sequence[str], retrieved: Mapping[str, str], *, max_chars: int
) -> Verdict:
    """Whether an abstractive answer may be sent to a patient, and every reason it may not.

    Args:
        answer: the model's answer, with citation markers such as [1].
        cited: ids of the passages the answer cites; markers in the answer count too.
        retrieved: passage id → text, for the passages retrieved for this question.
        max_chars: the longest answer the channel may send.
    """
    if not answer.strip():
        return Verdict((Problem("empty", "the answer is blank"),))
    problems: list[Problem] = []
    if len(answer) > max_chars:
        problems.append(Problem("length", f"{len(answer)} characters, the limit is {max_chars}"))
    markers = [n for marker in facts.CITATION.findall(answer) for n in re.findall(r"\d+", marker)]
    ids = list(dict.fromkeys([*cited, *markers]))
    if not ids:
        problems.append(Problem("citation", "the answer cites no passage"))
    for missing in (i for i in ids if i not in retrieved):
        problems.append(Problem("citation", f"passage [{_clip(missing, 20)}] was not retrieved"))
    sources = [retrieved[i] for i in ids if i in retrieved]
    return Verdict(
        tuple(problems + _fact_problems(answer, sources) + _sentence_problems(answer, sources))
    )
