"""Questions about eating or drinking a named food, and sentences that answer them.

"Can diabetics eat mango?" is answered only by a vetted sentence that names
mango, and "can I drink alcohol after ibuprofen?" only by one that names
alcohol together with the medicine. A page on diabetes, or one sentence on
alcohol and another on ibuprofen, is about the topic but does not answer:
measured on both knowledge sets, every answerable question that named a food
was answered by a sentence naming it (beer by "alcohol", chai by "tea"),
while five unanswerable ones (mango, rice, eggs, jaggery, alcohol with
ibuprofen) were answered without one. Retrieval declines a question no
candidate sentence answers this way; the answerer makes sure a quoted
sentence does.

The foods and the words for eating are in data/knowledge/foods.yml; Hindi
and Hinglish reach them through the glossary (bot/knowledge/terms.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from bot.config import ROOT
from bot.knowledge.terms import (
    WORD_END,
    WORD_START,
    alternation,
    medicine_names,
    stem,
    to_english,
    tokens,
)

FOODS_FILE = ROOT / "data" / "knowledge" / "foods.yml"
DIET_GAP = 5  # words allowed between "what" and "eat"
_WORD = re.compile(r"[a-z0-9]+|[\u0900-\u0963\u0966-\u097f]+")


class FoodWords(BaseModel):
    """The word lists of data/knowledge/foods.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    foods: dict[str, tuple[str, ...]]
    eating: str
    eating_before_food: str
    diet_question_words: tuple[str, ...]
    diet_words: str
    diet_after: tuple[str, ...]
    eating_in_pages: str


@dataclass(frozen=True, slots=True)
class FoodAsked:
    """A food a question asks about, and the medicines it is asked about with."""

    food: str
    medicines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Lexicon:
    food_of_stem: dict[str, str]  # stem of a food's name → the food
    naming_stems: dict[str, frozenset[str]]  # food → stems of the words that name it
    eating: frozenset[str]
    eating_before_food: frozenset[str]
    diet_question: re.Pattern[str]
    eating_in_pages: frozenset[str]


@cache
def _lexicon(path: Path = FOODS_FILE) -> _Lexicon:
    words = FoodWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return _Lexicon(
        food_of_stem={stem(food): food for food in words.foods},
        naming_stems={
            food: frozenset(stem(w) for w in names) for food, names in words.foods.items()
        },
        eating=frozenset(words.eating.lower().split()),
        eating_before_food=frozenset(words.eating_before_food.lower().split()),
        diet_question=_diet_question(words),
        eating_in_pages=frozenset(words.eating_in_pages.lower().split()),
    )


def _diet_question(words: FoodWords) -> re.Pattern[str]:
    asking = alternation(words.diet_question_words)
    diet = alternation(words.diet_words.split())
    after = alternation(words.diet_after)
    return re.compile(
        rf"{WORD_START}(?:(?:{asking})\s+(?:\S+\s+){{0,{DIET_GAP}}}(?:{diet})"
        rf"|(?:{diet})\s+(?:{after})\s+(?:{asking})){WORD_END}",
        re.IGNORECASE,
    )


FOOD_AFTER_HAVE = 4  # words after "have"/"take" in which the food must be named


def _foods_in(english: str) -> list[str]:
    lexicon = _lexicon()
    stems = map(stem, tokens(english))
    return [lexicon.food_of_stem[s] for s in stems if s in lexicon.food_of_stem]


def _eating(question: str, english: str) -> bool:
    """Whether ``question`` is about eating, drinking, giving or an allergy."""
    lexicon = _lexicon()
    words = _WORD.findall(question.lower())
    if not lexicon.eating.isdisjoint([*words, *_WORD.findall(english)]):
        return True
    return any(
        word in lexicon.eating_before_food
        and _foods_in(to_english(" ".join(words[i + 1 : i + 1 + FOOD_AFTER_HAVE])))
        for i, word in enumerate(words)
    )


def asked_foods(question: str) -> tuple[FoodAsked, ...]:
    """The foods ``question`` asks about eating, drinking or giving ("sugar patient
    chawal kha sakta hai" → rice), each with the medicines the question names."""
    english = to_english(question)
    if not _eating(question, english):
        return ()
    medicines = tuple(dict.fromkeys(w for w in tokens(english) if w in medicine_names()))
    return tuple(FoodAsked(food, medicines) for food in dict.fromkeys(_foods_in(english)))


def answers_food(sentence: str, asked: FoodAsked) -> bool:
    """Whether ``sentence`` (English) names the food, and one of the medicines it
    was asked about with, if any."""
    content = tokens(sentence)
    if _lexicon().naming_stems[asked.food].isdisjoint(map(stem, content)):
        return False
    return not asked.medicines or any(m in content for m in asked.medicines)


def asks_diet(question: str) -> bool:
    """Whether ``question`` asks what to eat ("TB me kya khaye", "what should I eat")."""
    return bool(_lexicon().diet_question.search(question))


def eating_words() -> frozenset[str]:
    """The words by which a page speaks of eating or drinking."""
    return _lexicon().eating_in_pages
