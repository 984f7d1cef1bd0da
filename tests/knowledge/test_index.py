"""The index is built once per content and never serves expired documents."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bot.knowledge.documents import KNOWLEDGE_DIR
from bot.knowledge.embedder import MiniLMEmbedder
from bot.knowledge.index import build_index


def _small_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name in ("ops-pharmacy.md", "ops-parking-directions.md"):
        shutil.copy(KNOWLEDGE_DIR / name, folder / name)
    return folder


def test_second_build_comes_from_the_cache(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    kb = _small_kb(tmp_path)
    first, built = build_index(kb, tmp_path / "cache", embedder)
    again, rebuilt = build_index(kb, tmp_path / "cache", embedder)
    assert built and not rebuilt
    assert first.key == again.key
    assert (first.sentence_vectors == again.sentence_vectors).all()


def test_an_edited_document_rebuilds_the_index(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    kb = _small_kb(tmp_path)
    first, _ = build_index(kb, tmp_path / "cache", embedder)
    doc = kb / "ops-pharmacy.md"
    doc.write_text(doc.read_text() + "\nThe pharmacy also sells ORS packets.\n")
    second, built = build_index(kb, tmp_path / "cache", embedder)
    assert built and second.key != first.key
    assert any("ORS packets" in s for p in second.passages for s in p.sentences)


def test_expired_documents_are_left_out(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    kb = _small_kb(tmp_path)
    later = dt.date(2031, 1, 1)  # after every review_due in the demo documents
    index, _ = build_index(kb, tmp_path / "cache", embedder, today=later)
    assert index.passages == ()


def test_progress_is_reported_until_done(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    seen: list[tuple[int, int]] = []
    build_index(
        _small_kb(tmp_path), tmp_path / "cache", embedder, progress=lambda d, t: seen.append((d, t))
    )
    assert seen and seen[-1][0] == seen[-1][1]
