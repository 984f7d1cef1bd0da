"""Facts are what a patient acts on literally, so every spelling of a value must be one fact.

The verifier compares an answer's facts with its sources', and the evaluation counts the
facts a reply's documents lack; both rely on "9 am" and "09:00" being the same fact and
"9 am" and "9 pm" being different ones.
"""

from __future__ import annotations

import pytest
import yaml

from bot.knowledge.facts import MEDICINES_FILE, extract_facts, unsupported_facts


@pytest.mark.parametrize(
    "forms",
    [
        ["9 am", "9:00 am", "9.00 a.m.", "9:00 AM", "09:00"],
        ["9 pm", "21:00", "9:00 p.m."],
        ["Rs 500", "Rs. 500", "₹500", "₹ 500", "500 rupees", "INR 500", "500 रुपये"],
        ["0000 000 100", "0000000100", "0000-000-100"],
        ["500mg", "500 mg", "500 milligrams"],
        ["4,000 mg", "4000 mg"],
        ["two tablets", "2 tablets"],
        ["1 to 2 weeks", "1-2 weeks", "१ से २ हफ़्ते"],
        ["24-hour limit", "24 hours"],
        ["९ बजे", "9 baje"],
        ["सुबह 9:00", "9:00 am"],
        ["25 December 2026", "2026-12-25", "25/12/2026", "Dec 25, 2026"],
        ["Sundays", "रविवार"],
    ],
)
def test_equivalent_forms_are_the_same_fact(forms: list[str]) -> None:
    facts = {tuple(extract_facts(form)) for form in forms}
    assert len(facts) == 1, facts
    for one in forms:
        for other in forms:
            assert unsupported_facts(one, [other]) == []


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        ("10 am", "10:30 am to 1:00 pm"),
        ("9 am", "9 pm"),
        ("4 g", "4 hours"),
        ("500 mg", "500 ml"),
        ("Rs 500", "500 mg"),
        ("0000 000 101", "0000 000 100"),
        ("3 tablets", "3 days"),
        ("2 weeks", "2 to 7 days"),
        ("Friday", "Monday to Saturday"),
        ("ibuprofen", "paracetamol"),
    ],
)
def test_different_values_are_different_facts(answer: str, source: str) -> None:
    assert unsupported_facts(answer, [source]) == extract_facts(answer) != []


def test_facts_keep_their_units_and_order() -> None:
    text = "Dengue symptoms begin 4 to 10 days after the bite; call 112 or 108 [2]."
    assert extract_facts(text) == ["4 days", "10 days", "112", "108"]
    assert extract_facts("OPD 9:00 am to 1:00 pm, Rs 500, Dolo 650 twice a day") == [
        "9:00 am",
        "1:00 pm",
        "rs 500",
        "dolo",
        "650",
        "2 times a day",
    ]


def test_citation_markers_and_list_numbers_are_not_facts() -> None:
    assert extract_facts("1. Rest [1]\n2. Drink fluids [2][3]") == []


def test_the_medicine_list_is_lower_case_and_names_common_medicines() -> None:
    names = yaml.safe_load(MEDICINES_FILE.read_text(encoding="utf-8"))["medicines"]
    assert len(names) >= 80
    assert all(name == name.lower() for name in names)
    assert {"paracetamol", "ibuprofen", "ors", "folic acid", "dolo", "crocin"} <= set(names)
    assert extract_facts("Crocin, Folic Acid and ओआरएस") == ["crocin", "folic acid", "ओआरएस"]
