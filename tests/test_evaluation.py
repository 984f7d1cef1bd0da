"""The evaluation metrics count what the issue defines, per language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation import CaseResult, compute_metrics, format_report, load_cases

CASES = [
    {"id": "e1", "text": "chest pain", "lang": "en", "expect": {"route": "emergency"}},
    {"id": "c1", "text": "want to die", "lang": "hi", "expect": {"route": "crisis"}},
    {"id": "n1", "text": "no chest pain", "lang": "en", "expect": {"route": "not_emergency"}},
    {
        "id": "n2",
        "text": "queue is killing me",
        "lang": "hinglish",
        "expect": {"route": "not_emergency"},
    },
    {
        "id": "i1",
        "text": "opd time",
        "lang": "hinglish",
        "expect": {"route": "intent", "intent": "clinic_hours"},
    },
]
RESULTS = [
    CaseResult(id="e1", route="emergency", intent=None, reply=""),
    CaseResult(id="c1", route="emergency", intent=None, reply=""),  # urgent either way
    CaseResult(id="n1", route="fallback", intent=None, reply=""),
    CaseResult(id="n2", route="emergency", intent=None, reply=""),  # a false alarm
    CaseResult(id="i1", route="intent", intent="visiting_hours", reply=""),
]


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in CASES) + "\n", encoding="utf-8")
    return path


def test_metrics_follow_the_definitions(cases: Path) -> None:
    metrics = compute_metrics(load_cases(cases), RESULTS)
    assert metrics["urgent_recall"] == 1.0
    assert metrics["false_alarm_rate"] == 0.5
    assert metrics["intent_accuracy"] == 0.0
    assert metrics["route_accuracy"] == 0.6
    assert metrics["by_language"]["hinglish"]["false_alarm_rate"] == 1.0
    assert metrics["confusion"]["crisis"] == {"emergency": 1}


def test_report_lists_the_misses(cases: Path) -> None:
    loaded = load_cases(cases)
    report = {
        "results": [r.model_dump() for r in RESULTS],
        "metrics": compute_metrics(loaded, RESULTS),
    }
    text = format_report(loaded, report)
    assert "misses (3)" in text and "n2" in text and "i1" in text


def test_bad_case_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "text": "hi", "lang": "en", "expect": {"route": "nowhere"}}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        load_cases(path)
