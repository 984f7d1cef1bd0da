"""Rasa's own examples, embedded, tell a scripted request from a question only the
knowledge base answers (real MiniLM model, real nlu.yml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.embedder import MiniLMEmbedder
from bot.knowledge.scripted import (
    IntentExamples,
    comparable,
    intent_examples,
    load_intent_examples,
)


@pytest.fixture(scope="module")
def examples(embedder: MiniLMEmbedder, tmp_path_factory: pytest.TempPathFactory) -> IntentExamples:
    return load_intent_examples(embedder, tmp_path_factory.mktemp("cache"))


def test_examples_are_read_without_entity_annotations() -> None:
    found = intent_examples()
    assert {"visiting_hours", "book_appointment", "health_question"} <= set(found)
    every = [text for texts in found.values() for text in texts]
    assert every and not any("](" in text or "]{" in text for text in every)


def test_messages_are_compared_as_retrieval_reads_them() -> None:
    # the same English content words retrieval embeds, so its vector is reused
    assert comparable("what time does the OPD open?") == "time opd open"
    assert comparable("ओपीडी कब खुलती है?") != "ओपीडी कब खुलती है?"
    assert comparable("hmm") == "hmm"


def test_a_plain_request_resembles_its_intent(
    examples: IntentExamples, embedder: MiniLMEmbedder
) -> None:
    vector = embedder.embed([comparable("what are the visiting hours for the ward")])[0]
    assert examples.resemblance(vector, "visiting_hours") > 0.8
    assert examples.resemblance(vector, "visiting_hours") > examples.resemblance(
        vector, "book_appointment"
    )


def test_a_specific_question_resembles_its_intent_less(
    examples: IntentExamples, embedder: MiniLMEmbedder
) -> None:
    plain, specific = embedder.embed(
        [
            comparable("what are the visiting hours for the ward"),
            comparable("can i take flowers for my uncle in the ICU"),
        ]
    )
    assert examples.resemblance(specific, "visiting_hours") < examples.resemblance(
        plain, "visiting_hours"
    )


def test_an_unknown_intent_resembles_nothing(
    examples: IntentExamples, embedder: MiniLMEmbedder
) -> None:
    assert examples.resemblance(embedder.embed(["hello"])[0], "no_such_intent") == 0.0


def test_the_vectors_are_cached_by_content(embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello\n    - namaste\n',
        encoding="utf-8",
    )
    first = load_intent_examples(embedder, tmp_path / "cache", nlu)
    assert len(list((tmp_path / "cache" / "intent-examples").glob("*.npz"))) == 1
    again = load_intent_examples(embedder, tmp_path / "cache", nlu)
    assert (again.vectors["greet"] == first.vectors["greet"]).all()
    nlu.write_text(nlu.read_text(encoding="utf-8") + "    - hi\n", encoding="utf-8")
    changed = load_intent_examples(embedder, tmp_path / "cache", nlu)
    assert len(changed.vectors["greet"]) == 3
    assert len(list((tmp_path / "cache" / "intent-examples").glob("*.npz"))) == 2
