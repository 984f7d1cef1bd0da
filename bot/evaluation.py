"""The evaluation harness behind ``carebot eval``: score the router on labelled cases.

Each case runs as a fresh session through the same :class:`bot.router.Router`
the API uses. Metrics: urgent recall (emergency and crisis cases routed to
emergency or crisis), false-alarm rate on ``not_emergency`` cases, intent
accuracy, route accuracy, a per-language breakdown and a route confusion matrix.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.messages import InboundMessage, Language, Route
from bot.router import Router

URGENT = {Route.EMERGENCY.value, Route.CRISIS.value}
NOT_EMERGENCY = "not_emergency"
ExpectedRoute = Literal[
    "emergency", "crisis", "intent", "knowledge", "handoff", "opt_out", "fallback", "not_emergency"
]


class Expectation(BaseModel):
    model_config = ConfigDict(extra="allow")

    route: ExpectedRoute
    intent: str | None = None


class Case(BaseModel):
    """One labelled message."""

    id: str
    text: str
    lang: Language
    expect: Expectation


class CaseResult(BaseModel):
    id: str
    route: str
    intent: str | None
    reply: str


def load_cases(path: Path) -> list[Case]:
    """Read a JSONL file of cases; a bad line stops with its line number."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(Case.model_validate_json(line))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return cases


async def run_case(router: Router, case: Case) -> CaseResult:
    """Send one case as the first message of a fresh session, then forget the session."""
    session_id = f"eval-{uuid.uuid4().hex}"
    message = InboundMessage(
        session_id=session_id, text=case.text, channel="api", message_id=uuid.uuid4().hex
    )
    try:
        outcome = (await router.handle(message)).outcome
    finally:
        await router.sessions.forget(session_id)
    return CaseResult(
        id=case.id,
        route=outcome.route.value,
        intent=outcome.intent,
        reply=" ".join(r.text for r in outcome.replies),
    )


def route_ok(case: Case, result: CaseResult) -> bool:
    if case.expect.route == NOT_EMERGENCY:
        return result.route not in URGENT
    return result.route == case.expect.route


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def compute_metrics(cases: Iterable[Case], results: Iterable[CaseResult]) -> dict[str, Any]:
    """Aggregate figures over all cases and per language."""
    pairs = list(zip(cases, results, strict=True))

    def summary(subset: list[tuple[Case, CaseResult]]) -> dict[str, Any]:
        urgent = [(c, r) for c, r in subset if c.expect.route in URGENT]
        calm = [(c, r) for c, r in subset if c.expect.route == NOT_EMERGENCY]
        with_intent = [(c, r) for c, r in subset if c.expect.intent is not None]
        return {
            "cases": len(subset),
            "urgent_recall": _ratio(sum(r.route in URGENT for _, r in urgent), len(urgent)),
            "urgent_cases": len(urgent),
            "false_alarm_rate": _ratio(sum(r.route in URGENT for _, r in calm), len(calm)),
            "not_emergency_cases": len(calm),
            "intent_accuracy": _ratio(
                sum(r.intent == c.expect.intent for c, r in with_intent), len(with_intent)
            ),
            "intent_cases": len(with_intent),
            "route_accuracy": _ratio(sum(route_ok(c, r) for c, r in subset), len(subset)),
        }

    by_language: dict[str, list[tuple[Case, CaseResult]]] = defaultdict(list)
    for pair in pairs:
        by_language[pair[0].lang].append(pair)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for case, result in pairs:
        confusion[case.expect.route][result.route] += 1
    return {
        **summary(pairs),
        "by_language": {lang: summary(subset) for lang, subset in sorted(by_language.items())},
        "confusion": {
            expected: dict(sorted(got.items())) for expected, got in sorted(confusion.items())
        },
    }


async def evaluate(router: Router, cases: list[Case]) -> dict[str, Any]:
    """Run every case and return ``{"results": [...], "metrics": {...}}``."""
    results = [await run_case(router, case) for case in cases]
    return {
        "results": [r.model_dump() for r in results],
        "metrics": compute_metrics(cases, results),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def format_report(cases: list[Case], report: dict[str, Any]) -> str:
    """A readable table of the metrics, then every case that missed."""
    m = report["metrics"]
    lines = [
        f"{'':12} {'cases':>6} {'urgent recall':>14} {'false alarms':>13} "
        f"{'intent acc':>11} {'route acc':>10}"
    ]
    rows = [("all", m), *m["by_language"].items()]
    for name, s in rows:
        lines.append(
            f"{name:12} {s['cases']:>6} {_pct(s['urgent_recall']):>14} "
            f"{_pct(s['false_alarm_rate']):>13} {_pct(s['intent_accuracy']):>11} "
            f"{_pct(s['route_accuracy']):>10}"
        )
    lines.append("")
    lines.append("confusion (expected → got):")
    for expected, got in m["confusion"].items():
        lines.append(f"  {expected:14} " + ", ".join(f"{k}: {v}" for k, v in got.items()))
    misses = [
        (c, r)
        for c, r in zip(cases, report["results"], strict=True)
        if not route_ok(c, CaseResult(**r))
        or (c.expect.intent is not None and r["intent"] != c.expect.intent)
    ]
    if misses:
        lines.append("")
        lines.append(f"misses ({len(misses)}):")
        for case, result in misses:
            want = case.expect.route + (f"/{case.expect.intent}" if case.expect.intent else "")
            got = result["route"] + (f"/{result['intent']}" if result["intent"] else "")
            text = json.dumps(case.text, ensure_ascii=False)[:70]
            lines.append(f"  {case.id:28} want {want:32} got {got:32} {text}")
    return "\n".join(lines)
