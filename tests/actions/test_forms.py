"""What the request forms accept from a patient, in every language."""

from __future__ import annotations

import pytest

from actions.forms import clean_field, clean_name, clean_phone, match_department


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Rahul Verma", "Rahul Verma"),
        ("my name is Anita Rao", "Anita Rao"),
        ("mera naam Sunita hai", "Sunita"),
        ("मेरा नाम प्रिया शर्मा है", "प्रिया शर्मा"),
    ],
)
def test_names_are_taken_from_natural_answers(text: str, name: str) -> None:
    assert clean_name(text) == name


@pytest.mark.parametrize("text", ["", "   ", "/affirm", "12345", "x" * 200])
def test_unusable_names_are_refused(text: str) -> None:
    assert clean_name(text) is None


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("98765 43210", "9876543210"),
        ("+91 98765-43210", "9876543210"),
        ("098765 43210", "9876543210"),
    ],
)
def test_mobile_numbers_are_normalised(text: str, phone: str) -> None:
    assert clean_phone(text) == phone


@pytest.mark.parametrize("text", ["call me", "12345", "98765 43210 98765"])
def test_non_numbers_are_refused(text: str) -> None:
    assert clean_phone(text) is None


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("cardiology", "Cardiology"),
        ("Heart", "Cardiology"),
        ("haddi ke doctor", "Orthopaedics"),
        ("बच्चों के डॉक्टर", "Paediatrics"),
        ("skin", "Dermatology"),
        ("ENT", "ENT"),
        ("Eye (Ophthalmology)", "Eye (Ophthalmology)"),
    ],
)
def test_departments_are_recognised_by_name_or_alias(text: str, department: str) -> None:
    assert match_department(text) == department


def test_unknown_department_is_refused() -> None:
    assert match_department("astrology") is None


def test_free_text_is_trimmed_and_bounded() -> None:
    assert clean_field("  next   Monday ") == "next Monday"
    assert clean_field("x" * 81) is None
