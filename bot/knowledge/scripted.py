"""How much a question resembles what a scripted intent is for, from Rasa's own examples.

Rasa is near-certain (confidence ≈ 1.0) about questions its scripted reply
does not answer: "can I take flowers into the ICU?" is visiting_hours to it,
and the visiting-hours reply says nothing about flowers. The router therefore
compares the question with the intent's training examples (``nlu.yml``) and
with the best vetted sentence retrieval found; the closer of the two wins
(see :meth:`bot.knowledge.service.KnowledgeService.prefers_knowledge`).

The examples' embeddings are cached by content hash next to the index.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.config import ROOT
from bot.knowledge.embedder import MiniLMEmbedder, Vectors
from bot.knowledge.terms import GLOSSARY_FILE, to_english

NLU_FILE = ROOT / "dialogue" / "data" / "nlu.yml"
FORMAT_VERSION = "2"
# Rasa's inline entity annotations: [cardiology](department) and [x]{"entity": ...}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def comparable(text: str) -> str:
    """The form a message is embedded in, the same as retrieval's query: its English
    content words (Hindi and Hinglish through the glossary), so the router reuses
    retrieval's vector instead of embedding the message twice."""
    return to_english(text).strip() or text


def intent_examples(nlu_file: Path = NLU_FILE) -> dict[str, list[str]]:
    """Every intent's training examples, annotations removed."""
    data = yaml.safe_load(nlu_file.read_text(encoding="utf-8")) or {}
    examples: dict[str, list[str]] = defaultdict(list)
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue  # synonyms, regexes, lookups
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples[block["intent"]].append(_ANNOTATION.sub(r"\1", line[2:]).strip())
    return dict(examples)


@dataclass(frozen=True, slots=True)
class IntentExamples:
    """One unit vector per training example, grouped by intent."""

    vectors: dict[str, Vectors]

    def resemblance(self, question_vector: Vectors, intent: str) -> float:
        """Cosine of the question to the intent's closest example (0 for an unknown intent)."""
        vectors = self.vectors.get(intent)
        if vectors is None or not len(vectors):
            return 0.0
        return float((vectors @ question_vector).max())


def load_intent_examples(
    embedder: MiniLMEmbedder, cache_dir: Path, nlu_file: Path = NLU_FILE
) -> IntentExamples:
    """The examples' vectors, embedded once per version of ``nlu.yml``, glossary and model."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    h.update(nlu_file.read_bytes())
    h.update(GLOSSARY_FILE.read_bytes())  # examples are embedded through the glossary
    h.update(f"{(embedder.model_dir / 'model.safetensors').stat().st_size}".encode())
    cached = cache_dir / "intent-examples" / f"{h.hexdigest()[:16]}.npz"
    if cached.exists():
        with np.load(cached) as stored:
            return IntentExamples({name: stored[name] for name in stored.files})
    examples = intent_examples(nlu_file)
    vectors = {
        intent: embedder.embed([comparable(t) for t in texts]) for intent, texts in examples.items()
    }
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial.npz")
    np.savez(partial, **vectors)  # type: ignore[arg-type]
    partial.replace(cached)  # atomic, as the index
    return IntentExamples(vectors)
