"""A question that names a hospital facility is answered only by a sentence naming it."""

from __future__ import annotations

import pytest

from bot.knowledge.facilities import asked_facilities, names_facility


@pytest.mark.parametrize(
    ("question", "facilities"),
    [
        ("do you have a blood bank", ("blood bank",)),
        ("अस्पताल में ब्लड बैंक है?", ("blood bank",)),
        ("ward me wi-fi milta hai kya", ("wifi",)),
        ("is there an ATM or a canteen near the ward", ("canteen", "atm")),
        # blood and a bank, but no blood bank
        ("my blood test fee was refunded to my bank", ()),
    ],
)
def test_the_facilities_a_question_names_are_recognised(
    question: str, facilities: tuple[str, ...]
) -> None:
    assert asked_facilities(question) == facilities


def test_a_sentence_names_a_facility_in_any_of_its_names() -> None:
    assert names_facility("Wheelchairs are kept at the main entrance.", "wheelchair")
    assert names_facility("The lifts are next to the pharmacy.", "lift")
    assert not names_facility("Blood samples are collected at the ground-floor lab.", "blood bank")
