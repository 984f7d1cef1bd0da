"""Documents are cut into sections of whole sentences that can be quoted alone."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.documents import KNOWLEDGE_DIR, load_documents, parse_document
from bot.knowledge.passages import passages_of, split_sentences

DOC = """---
id: sample
title: "Sample leaflet"
language: en
audience: patients
sources:
  - title: "WHO page"
    url: https://www.who.int/
reviewed_by: Consultant physician
reviewed_on: 2026-11-01
review_due: 2027-11-01
tags: [sample]
---

## When is the clinic open?
The clinic opens at 9:00 am. It closes at 1:00 pm on Saturdays.
- Bring your old reports.

## Who can visit?
Two visitors may stay at a time.
"""


def test_each_section_becomes_a_passage_of_whole_sentences(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(DOC, encoding="utf-8")
    passages = passages_of(parse_document(path))
    assert [p.heading for p in passages] == ["When is the clinic open?", "Who can visit?"]
    assert passages[0].sentences == (
        "The clinic opens at 9:00 am.",
        "It closes at 1:00 pm on Saturdays.",
        "Bring your old reports.",
    )
    assert passages[0].id == "sample#1" and passages[0].url == "https://www.who.int/"


def test_hindi_sentences_split_at_the_danda() -> None:
    assert split_sentences("ओपीडी सुबह खुलती है। रविवार को बंद रहती है।") == [
        "ओपीडी सुबह खुलती है।",
        "रविवार को बंद रहती है।",
    ]


def test_decimal_times_are_not_sentence_breaks() -> None:
    assert split_sentences("Open 9.00 am to 1.00 pm daily.") == ["Open 9.00 am to 1.00 pm daily."]


def test_every_shipped_document_yields_quotable_passages() -> None:
    documents, problems = load_documents(KNOWLEDGE_DIR)
    assert not problems
    for document in documents:
        passages = passages_of(document)
        assert passages, document.id
        assert all(len(s) >= 10 for p in passages for s in p.sentences), document.id
