"""Words for keyword retrieval: tokens, stop words and the Hindi/Hinglish glossary.

BM25 needs the same tokens for questions and documents. Hindi needs care:
Python's ``\\w`` stops at Devanagari vowel signs, so tokens are matched on the
Devanagari block explicitly. Patients write Hinglish ("bukhar me kya khaye")
against English documents, so a small reviewed glossary
(``data/knowledge/glossary.yml``) adds the English words to such questions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import yaml

from bot.config import ROOT

GLOSSARY_FILE = ROOT / "data" / "knowledge" / "glossary.yml"
_TOKEN = re.compile(r"[a-z0-9]+|[\u0900-\u0963\u0966-\u097f]+")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
# around a whole word or phrase: not inside a word, in Latin or Devanagari script
WORD_START = r"(?<![\w\u0900-\u097f])"
WORD_END = r"(?![\w\u0900-\u097f])"


def whole_words(alternatives: str) -> str:
    """A regex matching one of ``alternatives`` as a whole word or phrase."""
    return rf"{WORD_START}(?:{alternatives}){WORD_END}"


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of words or phrases, longest first, any spacing within."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


@cache
def stop_words() -> frozenset[str]:
    """Words that carry no topic (English, Hinglish, Hindi), from the glossary file."""
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    return frozenset(
        word.lower() for words in raw.get("stop_words", {}).values() for word in words.split()
    )


@cache
def generic_words() -> frozenset[str]:
    """Words that never name a topic of their own ("tablet", "syrup"), from the glossary:
    a question about "malaria tablets" is about malaria."""
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    return frozenset(str(raw.get("generic_words", "")).lower().split())


def _word_list(key: str) -> frozenset[str]:
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    return frozenset(tokens(str(raw.get(key, ""))))


@cache
def adult_words() -> frozenset[str]:
    """Words (as tokens) that say a question is about adults, from the glossary."""
    return _word_list("adult_words")


@cache
def child_words() -> frozenset[str]:
    """Words (as tokens) that say a question or page is about newborns or children."""
    return _word_list("child_words")


MEDICINES_FILE = ROOT / "data" / "knowledge" / "medicines.yaml"


@cache
def medicine_names() -> frozenset[str]:
    """Medicine names (generic and brand) from data/knowledge/medicines.yaml, lower case."""
    raw = yaml.safe_load(MEDICINES_FILE.read_text(encoding="utf-8")) or {}
    return frozenset(str(name).lower() for name in raw.get("medicines", []))


@cache
def _word_counts() -> tuple[dict[str, int], int]:
    # pyspellchecker ships an English word-frequency list: the only offline one
    # that is maintained. Imported lazily: only retrieval needs it.
    from spellchecker import SpellChecker

    frequency = SpellChecker(language="en").word_frequency
    return dict(frequency.dictionary), int(frequency.total_words)


def zipf(word: str) -> float | None:
    """How common an English word is (Zipf scale: 7 ≈ "the", 3 ≈ rare); None if unknown."""
    counts, total = _word_counts()
    word = word.lower()
    # tokens() folds plurals ("ladies" → "ladie"): the unfolded word is the one listed;
    # the list is American, and patients in India write British spellings, which
    # it lacks or lists as rare ("diarrhoea" 2.3, "diarrhea" 3.0)
    count = counts.get(word) or counts.get(word + "s")
    if not count or count < _RARE_COUNT:
        count = max([count or 0, *(counts.get(f, 0) for f in _american_spellings(word))])
    return math.log10(count * 1e9 / total) if count else None


_RARE_COUNT = 10_000  # ≈ Zipf 3.8: listed this rarely, a word may be a British spelling
# British spelling → American, for the word-frequency lookup only ("neighbour",
# "haemoglobin", "diarrhoea", "centre", "organise", "travelled", "programme")
_BRITISH = (
    (re.compile(r"our(?=s?$|ed$|ing$|hood$|ite$)"), "or"),
    (re.compile(r"ae"), "e"),
    (re.compile(r"oe(?!$)"), "e"),
    (re.compile(r"is(?=e$|ed$|es$|ing$|ation)"), "iz"),
    (re.compile(r"ys(?=e$|ed$|ing$)"), "yz"),
    (re.compile(r"tre(?=s?$)"), "ter"),
    (re.compile(r"ll(?=ed$|ing$)"), "l"),
    (re.compile(r"mme(?=s?$)"), "m"),
    (re.compile(r"ogue(?=s?$)"), "og"),
)


def _american_spellings(word: str) -> list[str]:
    """``word`` with each British spelling pattern made American, then all of them."""
    forms = []
    combined = word
    for pattern, american in _BRITISH:
        changed = pattern.sub(american, word)
        if changed != word:
            forms.append(changed)
        combined = pattern.sub(american, combined)
    if combined != word and combined not in forms:
        forms.append(combined)
    return forms


def has_devanagari(text: str) -> bool:
    """Whether text is (at least partly) written in Devanagari."""
    return bool(_DEVANAGARI.search(text))


@cache
def _english_stemmer() -> Any:
    import snowballstemmer  # lazily: only retrieval needs it

    return snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of an English word: "consultation" → "consult"."""
    return str(_english_stemmer().stemWord(word))


def word_forms_match(a: str, b: str) -> bool:
    """Whether one word is the other with a prefix or suffix added, compared as stems
    ("recheck" and "check", "printed" and "reprinted", "consult" and
    "teleconsultation"); the shorter stem must have four letters or more."""
    short, long_ = sorted((stem(a), stem(b)), key=len)
    return len(short) >= 4 and (long_.startswith(short) or long_.endswith(short))


def _stem(token: str) -> str:
    # crude English plural folding: "reports" → "report", "fees" → "fee"
    if token.isascii() and len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Lower-cased content words of text (stop words dropped), lightly stemmed."""
    stop = stop_words()
    return [_stem(t) for t in _TOKEN.findall(text.lower()) if t not in stop]


@cache
def glossary() -> dict[str, str]:
    """Hindi or Hinglish word → English words, from data/knowledge/glossary.yml."""
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    table: dict[str, str] = {}
    for english, variants in raw.get("terms", {}).items():
        for variant in variants:
            table[str(variant).lower()] = str(english)
    return table


@cache
def _glossary_phrases() -> re.Pattern[str] | None:
    """The glossary's variants of more than one word ("medical store", "khali pet"),
    longest first, as whole words: tokens alone would never match them."""
    phrases = sorted((v for v in glossary() if " " in v), key=len, reverse=True)
    if not phrases:
        return None
    words = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"(?<![a-z0-9\u0900-\u097f])(?:{words})(?![a-z0-9\u0900-\u097f])")


def to_english(text: str) -> str:
    """The English words the glossary knows for a Hindi or Hinglish question.

    Only glossary words are returned (plus English words already present), so
    a question with no known word yields an empty string: it is not matched
    against the English documents at all.
    """
    table = glossary()
    stop = stop_words()
    text = text.lower()
    if phrases := _glossary_phrases():
        text = phrases.sub(lambda m: f" {table[' '.join(m.group(0).split())]} ", text)
    words: list[str] = []
    for token in _TOKEN.findall(text):
        if token in table:
            words.append(table[token])
        elif token.isascii() and token not in stop:
            words.append(token)
    return " ".join(words)
