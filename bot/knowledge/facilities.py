"""Hospital facilities a question names, and sentences that name them.

"Is there a blood bank?" is answered only by a vetted sentence that names a
blood bank: the lab page is about blood, and its closeness would otherwise
answer the question with sample-collection times. Measured on both knowledge
sets, the blood bank and ward Wi-Fi questions were answered this way, while
every answerable question that named a facility (a wheelchair at the
entrance) was answered by a sentence naming it. Retrieval declines a
question no candidate sentence answers so.

The facilities and their names are in data/knowledge/facilities.yml.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from bot.config import ROOT
from bot.knowledge.terms import alternation, whole_words

FACILITIES_FILE = ROOT / "data" / "knowledge" / "facilities.yml"


class FacilityNames(BaseModel):
    """The names of data/knowledge/facilities.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    facilities: dict[str, tuple[str, ...]]


@cache
def _patterns(path: Path = FACILITIES_FILE) -> dict[str, re.Pattern[str]]:
    names = FacilityNames.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return {
        facility: re.compile(whole_words(alternation(forms)), re.IGNORECASE)
        for facility, forms in names.facilities.items()
    }


def asked_facilities(question: str) -> tuple[str, ...]:
    """The facilities ``question`` names ("अस्पताल में ब्लड बैंक है क्या?" → blood bank)."""
    return tuple(f for f, pattern in _patterns().items() if pattern.search(question))


def names_facility(sentence: str, facility: str) -> bool:
    """Whether ``sentence`` names the facility."""
    return bool(_patterns()[facility].search(sentence))
