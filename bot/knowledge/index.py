"""The knowledge index: passages, their sentences and embeddings, cached by content hash.

``carebot kb build`` writes it; the gateway and workers load it. The cache key
covers every servable document's bytes, the embedding model, the glossary
(its stop words shape the vocabulary) and this module's format version, so an
edited document, a new model or a new format rebuilds it, and nothing else does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.knowledge.documents import Document, load_documents, servable
from bot.knowledge.embedder import MiniLMEmbedder, Vectors
from bot.knowledge.passages import Passage, passages_of
from bot.knowledge.terms import GLOSSARY_FILE, tokens

FORMAT_VERSION = "2"
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True)
class KnowledgeIndex:
    """Passages plus one unit vector per passage and per sentence."""

    key: str
    passages: tuple[Passage, ...]
    passage_vectors: Vectors
    sentence_vectors: Vectors
    sentence_owner: tuple[tuple[int, int], ...]  # row → (passage number, sentence number)
    vocabulary: tuple[str, ...]  # every content word of the documents (see terms.tokens)
    vocabulary_vectors: Vectors  # one vector per vocabulary word, to find near-synonyms

    def sentence(self, row: int) -> str:
        """The text of one sentence row."""
        passage, number = self.sentence_owner[row]
        return self.passages[passage].sentences[number]


def index_key(documents: list[Document], model_dir: Path) -> str:
    """Hash of what the index is made of: documents, embedding model, format."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    # the vocabulary depends on the stop words in the glossary file
    h.update(GLOSSARY_FILE.read_bytes())
    weights = model_dir / "model.safetensors"
    h.update(f"{weights.stat().st_size}".encode())
    for doc in sorted(documents, key=lambda d: d.id):
        h.update(doc.path.name.encode())
        h.update(doc.path.read_bytes())
    return h.hexdigest()[:16]


def build_index(
    knowledge_dir: Path,
    cache_dir: Path,
    embedder: MiniLMEmbedder,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[KnowledgeIndex, bool]:
    """Load the index for the current documents, building it if not cached.

    Returns the index and whether it was built now (False = loaded from cache).
    Expired documents are left out, so they are never served.
    """
    documents, _problems = load_documents(knowledge_dir)
    documents = servable(documents, today or dt.date.today())
    key = index_key(documents, embedder.model_dir)
    folder = cache_dir / "kb-index" / key
    passages = tuple(p for d in documents for p in passages_of(d))
    owner = tuple((i, j) for i, p in enumerate(passages) for j in range(len(p.sentences)))
    vocabulary = tuple(sorted({t for p in passages for t in tokens(p.search_text)}))
    vectors_file = folder / "vectors.npz"
    if vectors_file.exists():
        with np.load(vectors_file) as stored:
            return KnowledgeIndex(
                key,
                passages,
                stored["passages"],
                stored["sentences"],
                owner,
                vocabulary,
                stored["vocabulary"],
            ), False
    texts = [
        *(p.search_text for p in passages),
        *(passages[i].sentences[j] for i, j in owner),
        *vocabulary,
    ]
    rows: list[Vectors] = []
    step = 64
    for start in range(0, len(texts), step):
        rows.append(embedder.embed(texts[start : start + step]))
        if progress:
            progress(min(start + step, len(texts)), len(texts))
    vectors = np.concatenate(rows) if rows else np.zeros((0, 384), dtype=np.float32)
    cut = (len(passages), len(passages) + len(owner))
    parts = {
        "passages": vectors[: cut[0]],
        "sentences": vectors[cut[0] : cut[1]],
        "vocabulary": vectors[cut[1] :],
    }
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "vectors.partial.npz"
    np.savez(
        partial,
        passages=parts["passages"],
        sentences=parts["sentences"],
        vocabulary=parts["vocabulary"],
    )
    partial.replace(vectors_file)  # atomic: a crashed build never leaves a half index
    (folder / "passages.json").write_text(
        json.dumps([asdict(p) for p in passages], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return KnowledgeIndex(
        key,
        passages,
        parts["passages"],
        parts["sentences"],
        owner,
        vocabulary,
        parts["vocabulary"],
    ), True
