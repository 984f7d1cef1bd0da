"""Questions that ask for an amount, and sentences that give one.

"How many hours can made-up ORS be kept?" is answered only by a sentence that
gives hours ("thrown away after 24 hours"), and "how many ultrasound scans in
a pregnancy?" only by one that gives a number. A passage on the topic that
gives no amount, or gives minutes where days were asked, does not answer the
question however close it is: measured on both knowledge sets, every
answerable amount question's answer gave the amount (in the unit asked for,
where one was named), while five unanswerable ones were answered with
sentences that did not. Retrieval declines a question no candidate sentence
gives the amount for; the answerer makes sure a quoted sentence gives it.

The words, in English, Hinglish and Hindi, are in data/knowledge/amounts.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from bot.config import ROOT
from bot.knowledge.facts import find_facts
from bot.knowledge.terms import WORD_END, WORD_START, alternation, whole_words

AMOUNTS_FILE = ROOT / "data" / "knowledge" / "amounts.yml"
TIME = "time"  # any unit of time
PRICE = "price"
PRICE_GAP = 6  # words allowed between "how much" and "cost"
_IN_A_WORD = re.compile(r"(?<=[a-z])[0-9]+", re.IGNORECASE)  # the 1 of "HbA1c"


class AmountWords(BaseModel):
    """The word lists of data/knowledge/amounts.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    asking: tuple[str, ...]
    asking_what: tuple[str, ...]
    asking_time: tuple[str, ...]
    asking_price: tuple[str, ...]
    price_terms: str
    price: tuple[str, ...]
    units: dict[str, tuple[str, ...]]
    also_given_in: dict[str, tuple[str, ...]]
    amount_words: str
    number_names: tuple[str, ...]
    every_words: tuple[str, ...]
    every_times: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AmountAsked:
    """What amount a question asks for: a unit ("hour"), a length of time in any
    unit ("time"), or any number (None). A required amount that no vetted
    sentence gives means the knowledge base does not answer the question."""

    unit: str | None = None
    required: bool = True

    @property
    def name(self) -> str:
        return self.unit or "number"


@dataclass(frozen=True, slots=True)
class _Patterns:
    asking_unit: dict[str, re.Pattern[str]]
    asking: re.Pattern[str]
    asking_time: re.Pattern[str]
    asking_price: re.Pattern[str]
    unit: dict[str, re.Pattern[str]]
    amount: re.Pattern[str]
    number_names: re.Pattern[str]


@cache
def _patterns(path: Path = AMOUNTS_FILE) -> _Patterns:
    words = AmountWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    asking = alternation(words.asking)
    price_terms = alternation(words.price_terms.split())
    units = {name: alternation(list(forms)) for name, forms in words.units.items()}
    time_units = [form for forms in words.units.values() for form in forms]
    every_after = alternation([*words.every_times, *time_units])
    flags = re.IGNORECASE
    return _Patterns(
        asking_unit={
            name: re.compile(
                rf"{WORD_START}(?:{asking})\s+(?:more\s+|zyada\s+|ज़्यादा\s+)?(?:{forms}){WORD_END}",
                flags,
            )
            for name, forms in units.items()
        },
        asking=re.compile(
            rf"{WORD_START}(?:(?:{asking})|what\s+(?:\w+\s+){{0,2}}(?:{alternation(words.asking_what)})){WORD_END}",
            flags,
        ),
        asking_time=re.compile(whole_words(alternation(words.asking_time)), flags),
        asking_price=re.compile(
            rf"{WORD_START}(?:{alternation(words.asking_price)}"
            rf"|(?:{asking})\s+(?:\S+\s+){{0,{PRICE_GAP}}}(?:{price_terms})"
            rf"|(?:{price_terms})\s+(?:\S+\s+){{0,2}}(?:{asking})){WORD_END}",
            flags,
        ),
        unit={
            name: re.compile(whole_words(forms), flags)
            for name, forms in {
                **{
                    name: "|".join([forms, *(units[u] for u in words.also_given_in.get(name, ()))])
                    for name, forms in units.items()
                },
                TIME: "|".join(units.values()),
                PRICE: alternation(words.price),
            }.items()
        },
        amount=re.compile(
            rf"{WORD_START}(?:{alternation(words.amount_words.split())}"
            rf"|(?:{alternation(words.every_words)})\s+(?:{every_after})"
            rf"|(?:a|an)\s+(?:{alternation(list(time_units))})){WORD_END}",
            flags,
        ),
        number_names=re.compile(whole_words(alternation(words.number_names)), flags),
    )


@cache
def price_question_words() -> frozenset[str]:
    """The words that ask a price ("how much", "cost", "fees", "kharcha"): they name
    nothing that is priced."""
    raw = yaml.safe_load(AMOUNTS_FILE.read_text(encoding="utf-8"))
    words = AmountWords.model_validate(raw)
    asking = " ".join([*words.asking, *words.asking_price])
    return frozenset(f"{words.price_terms} {asking}".lower().split())


def asked_amount(question: str) -> AmountAsked | None:
    """The amount ``question`` asks for ("kitne ghante" → hours), or None if it asks none.

    "How long" asks for a length of time, but is answered in words about as often
    ("the full course", "until the fever has gone"), so that amount is not required.
    """
    patterns = _patterns()
    if patterns.asking_price.search(question):
        return AmountAsked(PRICE)
    for unit, pattern in patterns.asking_unit.items():
        if pattern.search(question):
            return AmountAsked(unit)
    if patterns.asking_time.search(question):  # before "kitni" of "kitni der"
        return AmountAsked(TIME, required=False)
    return AmountAsked() if patterns.asking.search(question) else None


def gives_amount(sentence: str, asked: AmountAsked) -> bool:
    """Whether ``sentence`` gives an amount, in the unit ``asked`` names if it names one."""
    patterns = _patterns()
    if asked.unit is not None and not patterns.unit[asked.unit].search(sentence):
        return False
    if patterns.amount.search(sentence):
        return True
    # a number that is a name ("type 2 diabetes", "HbA1c") or a phone number
    # ("call 108") is no amount
    named = _IN_A_WORD.sub("", patterns.number_names.sub(" ", sentence))
    return any(fact.kind == "number" for fact in find_facts(named))
