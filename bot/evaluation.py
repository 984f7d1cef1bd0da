"""The evaluation harness behind ``carebot eval``: score the router on labelled cases.

Each case runs as a fresh session through the same :class:`bot.router.Router`
the API uses. Metrics: urgent recall (emergency and crisis cases routed to
emergency or crisis), false-alarm rate on ``not_emergency`` cases, intent
accuracy, route accuracy, a per-language breakdown and a route confusion matrix.
Knowledge cases add retrieval hit@3, fact recall, the unsupported-fact rate
(numbers, doses, times and phones in a reply that its cited documents do not
contain: must be 0), the refusal rate on unanswerable questions and how often
the verifier rejected an abstractive draft.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bot.knowledge.documents import load_documents
from bot.knowledge.facts import unsupported_facts
from bot.messages import InboundMessage, Language, Route
from bot.router import Router

URGENT = {Route.EMERGENCY.value, Route.CRISIS.value}
ANSWER_WAIT_SECONDS = 300.0  # eval waits for every knowledge answer, however slow the model
NOT_EMERGENCY = "not_emergency"
ExpectedRoute = Literal[
    "emergency", "crisis", "intent", "knowledge", "handoff", "opt_out", "fallback", "not_emergency"
]


class Expectation(BaseModel):
    model_config = ConfigDict(extra="allow")

    route: ExpectedRoute
    intent: str | None = None
    answerable: bool | None = None  # knowledge cases: does the knowledge base answer it?
    facts: list[str] = []  # knowledge cases: strings the reply must contain
    doc: str | None = None  # knowledge cases: the document that answers it


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
    retrieved: list[str] = []
    answered: bool = False  # a knowledge answer (not a refusal) was given
    answer: str = ""  # the quoted or verified answer, without the source line
    citations: list[str] = []
    unsupported: list[str] = []
    path: str | None = None
    rejected: list[str] = []
    prompt_tokens: int = 0
    seconds: float = 0.0


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
        answer = None
        if outcome.job_id and router.knowledge is not None:
            answer = await router.knowledge.queue.wait(outcome.job_id, ANSWER_WAIT_SECONDS)
    finally:
        await router.sessions.forget(session_id)
    result = CaseResult(
        id=case.id,
        route=outcome.route.value,
        intent=outcome.intent,
        reply=" ".join(r.text for r in outcome.replies),
        retrieved=list(outcome.retrieved),
    )
    if answer is None:
        return result
    body = " ".join(answer.quoted) or answer.body
    sources = [_document_text(c.id) for c in answer.citations]
    return result.model_copy(
        update={
            "reply": answer.text,
            "answered": answer.answered,
            "answer": body,
            "citations": [c.id for c in answer.citations],
            "unsupported": unsupported_facts(body, sources) if answer.answered else [],
            "path": answer.path,
            "rejected": list(answer.rejected),
            "prompt_tokens": answer.prompt_tokens,
            "seconds": round(answer.seconds, 3),
        }
    )


@cache
def _documents() -> dict[str, str]:
    documents, _ = load_documents()
    return {d.id: d.body for d in documents}


def _document_text(doc_id: str) -> str:
    return _documents().get(doc_id, "")


def _same_document(expected: str, got: str) -> bool:
    """A Hindi question answered from the English original (or back) still hits."""
    return got.removesuffix("-hi") == expected.removesuffix("-hi")


def knowledge_summary(pairs: list[tuple[Case, CaseResult]]) -> dict[str, Any]:
    """Retrieval and grounding figures over the knowledge cases of ``pairs``."""
    answerable = [(c, r) for c, r in pairs if c.expect.answerable is True]
    unanswerable = [(c, r) for c, r in pairs if c.expect.answerable is False]
    facts = [(fact, r) for c, r in answerable for fact in c.expect.facts]
    answered = [r for _, r in pairs if r.answered]
    abstractive = [r for r in answered if r.path in ("abstractive", "extractive_fallback")]
    tokens = [r.prompt_tokens for r in answered if r.prompt_tokens]
    seconds = sorted(r.seconds for r in answered if r.seconds)
    return {
        "knowledge_cases": len(answerable) + len(unanswerable),
        "answerable_cases": len(answerable),
        "unanswerable_cases": len(unanswerable),
        "hit_at_3": _ratio(
            sum(
                any(_same_document(c.expect.doc or "", d) for d in r.retrieved[:3])
                for c, r in answerable
            ),
            len(answerable),
        ),
        "answered_rate": _ratio(sum(r.answered for _, r in answerable), len(answerable)),
        "fact_recall": _ratio(
            sum(fact.lower() in r.answer.lower() for fact, r in facts), len(facts)
        ),
        "unsupported_fact_rate": _ratio(sum(bool(r.unsupported) for r in answered), len(answered)),
        "refusal_rate": _ratio(sum(not r.answered for _, r in unanswerable), len(unanswerable)),
        "verifier_rejection_rate": _ratio(
            sum(r.path == "extractive_fallback" for r in abstractive), len(abstractive)
        ),
        "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else None,
        "answer_seconds_p50": seconds[len(seconds) // 2] if seconds else None,
    }


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
    knowledge = [(c, r) for c, r in pairs if c.expect.route == "knowledge"]
    return {
        **summary(pairs),
        "knowledge": knowledge_summary(knowledge) if knowledge else None,
        "knowledge_by_language": {
            lang: knowledge_summary([(c, r) for c, r in subset if c.expect.route == "knowledge"])
            for lang, subset in sorted(by_language.items())
        }
        if knowledge
        else None,
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


def knowledge_miss(case: Case, result: CaseResult) -> bool:
    """A knowledge case that missed its document, a fact, or should have been refused."""
    if case.expect.route != "knowledge":
        return False
    if case.expect.answerable is False:
        return result.answered
    return bool(result.unsupported) or not all(
        f.lower() in result.answer.lower() for f in case.expect.facts
    )


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
    if m.get("knowledge"):
        lines.append("")
        lines.append(
            f"{'knowledge':12} {'cases':>6} {'hit@3':>7} {'answered':>9} {'fact recall':>12} "
            f"{'unsupported':>12} {'refusals':>9} {'verifier rej':>13} {'prompt tok':>11}"
        )
        for name, k in [("all", m["knowledge"]), *m["knowledge_by_language"].items()]:
            lines.append(
                f"{name:12} {k['knowledge_cases']:>6} {_pct(k['hit_at_3']):>7} "
                f"{_pct(k['answered_rate']):>9} {_pct(k['fact_recall']):>12} "
                f"{_pct(k['unsupported_fact_rate']):>12} {_pct(k['refusal_rate']):>9} "
                f"{_pct(k['verifier_rejection_rate']):>13} {k['prompt_tokens_mean'] or '—':>11}"
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
        or knowledge_miss(c, CaseResult(**r))
    ]
    if misses:
        lines.append("")
        lines.append(f"misses ({len(misses)}):")
        for case, result in misses:
            want = case.expect.route + (f"/{case.expect.intent}" if case.expect.intent else "")
            got = result["route"] + (f"/{result['intent']}" if result["intent"] else "")
            if case.expect.route == "knowledge":
                want = f"{case.expect.doc or 'refuse'} {case.expect.facts}"
                got = (
                    f"{result['route']} {','.join(result['retrieved'][:3])} "
                    f"{'answer' if result['answered'] else 'refused'} {result['unsupported'] or ''}"
                )
            text = json.dumps(case.text, ensure_ascii=False)[:70]
            lines.append(f"  {case.id:28} want {want:32} got {got:32} {text}")
    return "\n".join(lines)
