"""Retune the answer thresholds after loading your own knowledge base.

``python -m benchmarks.retrieval_sweep [CASES.jsonl]`` runs retrieval alone
(no model, a few seconds per setting) over labelled knowledge cases for a grid
of thresholds and prints, best first, how many unanswerable questions each
setting declines, how many answerable ones it answers, and how often the
expected facts are among the sentences offered to the model. Copy the chosen
row into ``data/knowledge/retrieval.yml``.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from bot.config import ROOT, Settings
from bot.evaluation import Case, load_cases
from bot.knowledge.loader import load_retriever
from bot.knowledge.retriever import Retriever, load_tuning

GRID = {
    "answer_min_score": [0.35, 0.40, 0.45],
    "answer_min_sentence": [0.30, 0.35, 0.40],
    "term_support_min": [0.55, 0.60],
    "term_rare_zipf": [3.5, 4.0],
}


def score(retriever: Retriever, cases: list[Case]) -> tuple[float, float, float]:
    """(declined unanswerable, answered answerable, facts offered) as fractions."""
    declined = answered = offered = 0
    answerable = [c for c in cases if c.expect.answerable]
    unanswerable = [c for c in cases if c.expect.answerable is False]
    for case in unanswerable:
        declined += not retriever.search(case.text, case.lang).answerable
    for case in answerable:
        found = retriever.search(case.text, case.lang)
        answered += found.answerable
        text = " ".join(c.text for c in found.candidates).lower()
        offered += found.answerable and all(f.lower() in text for f in case.expect.facts)
    return (
        declined / max(1, len(unanswerable)),
        answered / max(1, len(answerable)),
        offered / max(1, len(answerable)),
    )


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/eval/knowledge.jsonl"
    cases = [c for c in load_cases(path) if c.expect.route == "knowledge"]
    base = load_retriever(Settings())
    rows = []
    for values in itertools.product(*GRID.values()):
        tuning = load_tuning().model_copy(update=dict(zip(GRID, values, strict=True)))
        rows.append((score(Retriever(base.index, base.embedder, tuning), cases), values))
    print(
        "| declined (unanswerable) | answered (answerable) | facts offered | "
        + " | ".join(GRID)
        + " |"
    )
    print("|" + " --- |" * (3 + len(GRID)))
    for (declined, answered, offered), values in sorted(rows, key=lambda r: -sum(r[0][::2])):
        print(
            f"| {declined:.1%} | {answered:.1%} | {offered:.1%} | "
            + " | ".join(f"{v:g}" for v in values)
            + " |"
        )


if __name__ == "__main__":
    main()
