"""Grounded answers: the patient reads only vetted sentences or a verified draft.

The extractive tests run a real GGUF model (SmolLM2, the small one, for speed).
The planted-draft tests replace the model's *output* with a known bad draft,
because no real model produces a chosen error on demand; everything after
the model (verifier, fallback, rendering) is the real code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.config import Settings
from bot.content import load_content
from bot.knowledge.answerer import Answerer
from bot.knowledge.facts import unsupported_facts
from bot.knowledge.grounding import AnswerJob, job_for
from bot.knowledge.retriever import Retriever
from bot.knowledge.terms import has_devanagari
from bot.llm.model import Generation, LocalModel
from tests.knowledge.samples import FEES, SMOLLM2, TELECONSULT, fee_job

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model() -> LocalModel:
    return LocalModel(SMOLLM2, n_ctx=2048)


def _job(retriever: Retriever, question: str, language: Any) -> AnswerJob:
    """The job the gateway would enqueue for ``question``."""
    found = retriever.search(question, language)
    assert found.answerable, found.reason
    return job_for(
        found,
        job_id="j-1",
        session_id="s-1",
        message_id="m-1",
        channel="api",
        language=language,
        question=question,
        max_chars=1600,
        created_at=0.0,
    )


def _answerer(model: Any, mode: str = "extractive") -> Answerer:
    return Answerer(model, load_content(Settings().data_dir), "IN", mode)  # type: ignore[arg-type]


def test_extractive_answer_quotes_vetted_sentences_verbatim(model: LocalModel) -> None:
    job = fee_job()
    answer = _answerer(model).answer(job)
    vetted = {c.text for c in job.candidates}
    assert answer.answered and answer.path == "extractive"
    assert answer.quoted and set(answer.quoted) <= vetted
    assert all(q in answer.text for q in answer.quoted)
    assert answer.citations and {c.id for c in answer.citations} <= {
        "ops-fees-payment",
        "ops-teleconsultation",
    }
    assert "Source:" in answer.text
    assert answer.prompt_tokens > 0


def test_retrievals_two_best_sentences_are_always_quoted(model: LocalModel) -> None:
    # the model's pick is added to them, never put in their place
    job = fee_job()
    answer = _answerer(model).answer(job)
    assert {c.text for c in job.candidates[:2]} <= set(answer.quoted)
    assert len(answer.quoted) <= 3


def test_the_model_only_adds_to_retrievals_two_best_sentences(model: LocalModel) -> None:
    job = fee_job()
    answer = _answerer(model).answer(job)
    assert len(answer.quoted) == len(set(answer.quoted))
    # with nothing further to choose from, the two best are quoted without the model
    two = job.model_copy(update={"candidates": job.candidates[:2]})
    short = _answerer(model).answer(two)
    assert set(short.quoted) == {c.text for c in job.candidates[:2]}
    assert short.answered and short.prompt_tokens == 0


def test_quoted_sentences_stream_before_the_answer_is_stored(model: LocalModel) -> None:
    events: list[tuple[str, str]] = []
    answer = _answerer(model).answer(fee_job(), lambda kind, text: events.append((kind, text)))
    assert [text for kind, text in events if kind == "sentence"] == list(answer.quoted)


def test_a_job_with_nothing_retrieved_is_declined_honestly(model: LocalModel) -> None:
    job = fee_job().model_copy(update={"candidates": (), "passages": ()})
    answer = _answerer(model).answer(job)
    assert not answer.answered and answer.path == "refused"
    assert "vetted information" in answer.text


def test_abstractive_with_a_real_model_never_sends_an_unsupported_fact(model: LocalModel) -> None:
    answer = _answerer(model, "abstractive").answer(fee_job())
    assert answer.answered
    assert answer.path in ("abstractive", "extractive_fallback")
    assert unsupported_facts(answer.body, [FEES.text, TELECONSULT.text]) == []


class PlantedDraft:
    """Stands in for the model's output only: returns a fixed draft, counts calls."""

    def __init__(self, draft: str, real: LocalModel) -> None:
        self.draft = draft
        self.real = real

    def stream(self, messages: Any, *, max_tokens: int) -> Iterator[str]:
        yield from self.draft.split(" ")  # token-ish pieces
        # (spaces are re-added below by joining; keep the draft intact)

    def generate(self, messages: Any, *, max_tokens: int, grammar: str | None = None) -> Generation:
        return self.real.generate(messages, max_tokens=max_tokens, grammar=grammar)

    def count_tokens(self, messages: Any) -> int:
        return self.real.count_tokens(messages)


class Planted(PlantedDraft):
    def stream(self, messages: Any, *, max_tokens: int) -> Iterator[str]:
        words = self.draft.split(" ")
        for i, word in enumerate(words):
            yield word if i == len(words) - 1 else word + " "


PLANTED = {
    "wrong price": "A follow-up visit within 10 days costs Rs 200 [1].",
    "wrong days": "A follow-up visit within 14 days costs Rs 300 [1].",
    "flipped negation": "A teleconsultation is suitable for emergencies [2].",
    "invented phone": "Call 98765 43210 to pay for a consultation [1].",
    "citation not retrieved": "An OPD consultation costs Rs 500 [7].",
    "no citation": "An OPD consultation costs Rs 500.",
    "prescription": "You should take paracetamol 500 mg before the visit [1].",
}


@pytest.mark.parametrize("draft", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_bad_draft_is_replaced_by_quotes(model: LocalModel, draft: str) -> None:
    job = fee_job()
    answer = _answerer(Planted(draft, model), "abstractive").answer(job)
    assert answer.path == "extractive_fallback"
    assert answer.rejected
    assert draft.split(" [")[0] not in answer.text
    assert set(answer.quoted) <= {c.text for c in job.candidates}


def test_a_faithful_draft_is_sent_with_its_citation(model: LocalModel) -> None:
    draft = "A follow-up visit to the same department within 10 days costs Rs 300 [1]."
    answer = _answerer(Planted(draft, model), "abstractive").answer(fee_job())
    assert answer.path == "abstractive", answer.rejected
    assert "Rs 300" in answer.text and "[1]" not in answer.text
    assert [c.id for c in answer.citations] == ["ops-fees-payment"]


def test_a_hindi_question_is_quoted_in_hindi_from_a_prompt_in_english(
    model: LocalModel, retriever: Retriever
) -> None:
    # the model reads the aligned English sentences (Devanagari costs it over
    # twice the tokens, so Hindi answers took three times as long); the
    # patient still reads the vetted Hindi ones
    job = _job(retriever, "डेंगू में बुखार कितने दिन रहता है", "hi")
    assert all(c.english and not has_devanagari(c.english) for c in job.candidates)
    answer = _answerer(model).answer(job)
    assert answer.answered and all(has_devanagari(q) for q in answer.quoted)
    hindi_prompt = job.model_copy(
        update={"candidates": tuple(c.model_copy(update={"english": None}) for c in job.candidates)}
    )
    assert answer.prompt_tokens < 0.7 * _answerer(model).answer(hindi_prompt).prompt_tokens


def test_an_amount_asked_for_is_quoted_from_lower_down(
    model: LocalModel, retriever: Retriever
) -> None:
    # retrieval's two best sentences are on mixing and sipping ORS; the one that
    # gives hours ranks lower, and is quoted whatever the model picks
    question = "ORS ka ghol kitne ghante tak chalta hai"
    job = _job(retriever, question, "hinglish")
    assert not any("hours" in c.text for c in job.candidates[:2])
    answer = _answerer(model).answer(job)
    assert answer.answered and "24 hours" in answer.text


def test_an_amount_no_quoted_sentence_gives_is_declined(
    model: LocalModel, retriever: Retriever
) -> None:
    # the wound-care page never says how many stitches: quoting it would not answer
    question = "how many stitches do people usually get after a c-section"
    job = _job(retriever, question, "en")
    two = job.model_copy(update={"candidates": job.candidates[:2]})
    answer = _answerer(model).answer(two)
    assert not answer.answered and answer.rejected == ("no_amount",)
    assert "vetted information" in answer.text


def test_how_long_is_answered_with_a_length_of_time_when_one_was_retrieved(
    model: LocalModel, retriever: Retriever
) -> None:
    # two sentences on mixing ORS rank first; whichever of the other two the model
    # picks, the one that gives a length of time is quoted
    job = _job(retriever, "ghol wala ORS kitni der tak de sakte hai", "hinglish")
    first, rest = job.candidates[:2], job.candidates[2:]
    assert not any("hours" in c.text or "minutes" in c.text for c in first)
    timed = next(c for c in rest if "24 hours" in c.text)
    untimed = next(c for c in rest if not any(ch.isdigit() for ch in c.text))
    answer = _answerer(model).answer(
        job.model_copy(update={"candidates": (*first, untimed, timed)})
    )
    assert answer.answered and "24 hours" in answer.text


def test_a_food_asked_about_is_quoted_from_lower_down(
    model: LocalModel, retriever: Retriever
) -> None:
    # retrieval's best sentences here do not name coffee; the one that does is
    # quoted whatever the model picks
    job = _job(retriever, "is it ok to drink coffee before a fasting blood test", "en")
    others = [c for c in job.candidates if "coffee" not in c.text.lower()]
    coffee = next(c for c in job.candidates if "coffee" in c.text.lower())
    answer = _answerer(model).answer(job.model_copy(update={"candidates": (*others[:3], coffee)}))
    assert answer.answered and "coffee" in answer.text.lower()


def test_a_food_no_candidate_names_is_declined(model: LocalModel, retriever: Retriever) -> None:
    job = _job(retriever, "is it ok to drink coffee before a fasting blood test", "en")
    others = tuple(c for c in job.candidates if "coffee" not in c.text.lower())
    answer = _answerer(model).answer(job.model_copy(update={"candidates": others}))
    assert not answer.answered and answer.rejected == ("unnamed_food",)
    assert "vetted information" in answer.text
