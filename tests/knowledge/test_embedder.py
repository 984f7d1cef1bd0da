"""all-MiniLM-L6-v2 in numpy: unit vectors whose similarity follows meaning."""

from __future__ import annotations

import numpy as np

from bot.knowledge.embedder import MiniLMEmbedder


def test_vectors_are_unit_length_and_independent_of_batching(embedder: MiniLMEmbedder) -> None:
    texts = ["How much does a follow-up visit cost?", "Dengue spreads through mosquito bites."]
    together = embedder.embed(texts)
    alone = np.concatenate([embedder.embed([t]) for t in texts])
    assert together.shape == (2, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(embedder: MiniLMEmbedder) -> None:
    question, answer, unrelated = embedder.embed(
        [
            "what do i pay to see the doctor again",
            "A follow-up visit within 10 days costs Rs 300.",
            "Mosquitoes that spread dengue bite during the day.",
        ]
    )
    assert question @ answer > question @ unrelated + 0.2


def test_langchain_interface_returns_plain_floats(embedder: MiniLMEmbedder) -> None:
    vector = embedder.embed_query("fever")
    assert len(vector) == 384 and all(isinstance(x, float) for x in vector)
    assert len(embedder.embed_documents(["a", "b"])) == 2
