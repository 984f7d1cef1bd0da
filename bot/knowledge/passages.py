"""Sentence-aware chunks: each document section becomes one passage of whole sentences.

Knowledge-base sentences are written to stand alone (knowledge/README.md), so
the answerer can quote any of them verbatim. A passage is one ``##`` section:
small enough to fit a few in a short prompt, big enough to hold an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.documents import Document

_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# a sentence ends at . ! ? or the Devanagari danda, followed by a space
_SENTENCE_END = re.compile(r"(?<=[.!?।])\s+(?=\S)")


@dataclass(frozen=True, slots=True)
class Passage:
    """One section of a document: its heading and its sentences, in order."""

    id: str  # "<doc id>#<section number>", stable while the document is unchanged
    doc_id: str
    title: str
    url: str
    language: str
    heading: str
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        """The passage as one string (what the verifier checks facts against)."""
        return " ".join(self.sentences)

    @property
    def search_text(self) -> str:
        """What retrieval matches: the title and heading give each section its topic."""
        return f"{self.title}. {self.heading}. {self.text}"


def split_sentences(line: str) -> list[str]:
    """Split a line into sentences, keeping each sentence's own punctuation."""
    line = _BULLET.sub("", line).strip()
    return [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]


def passages_of(document: Document) -> list[Passage]:
    """Cut a document into one passage per section (text before any heading is its own)."""
    meta = document.meta
    url = str(meta.sources[0].url)
    sections: list[tuple[str, list[str]]] = [(meta.title, [])]
    for line in document.body.splitlines():
        heading = _HEADING.match(line.strip())
        if heading:
            sections.append((heading.group(1).strip(), []))
        elif line.strip():
            sections[-1][1].extend(split_sentences(line))
    return [
        Passage(
            id=f"{meta.id}#{number}",
            doc_id=meta.id,
            title=meta.title,
            url=url,
            language=meta.language,
            heading=heading,
            sentences=tuple(sentences),
        )
        for number, (heading, sentences) in enumerate(sections)
        if sentences
    ]
