"""The knowledge evaluation sets are sound: every expected fact is really in the
document the case names, so a miss in `carebot eval` is the bot's, not the set's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.evaluation import load_cases
from bot.knowledge.documents import load_documents

SETS = sorted(Path(__file__).parent.glob("knowledge*.jsonl"))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def test_both_knowledge_sets_are_here() -> None:
    assert [p.name for p in SETS] == ["knowledge.jsonl", "knowledge_holdout.jsonl"]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_expected_fact_is_in_the_document_the_case_names(path: Path) -> None:
    documents, problems = load_documents()
    assert not problems
    text = {d.id: _flat(d.body) for d in documents}
    cases = load_cases(path)
    assert len({c.id for c in cases}) == len(cases)
    missing = [
        (c.id, fact)
        for c in cases
        if c.expect.answerable
        for fact in c.expect.facts
        if _flat(fact) not in text.get(c.expect.doc or "", "")
    ]
    assert missing == []


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_each_set_mixes_languages_and_unanswerable_questions(path: Path) -> None:
    cases = load_cases(path)
    assert {c.lang for c in cases} == {"en", "hi", "hinglish"}
    assert sum(c.expect.answerable is False for c in cases) >= 0.2 * len(cases)
