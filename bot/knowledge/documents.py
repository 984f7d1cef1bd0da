"""The vetted knowledge base: Markdown documents with YAML front matter, validated.

``carebot kb check`` runs :func:`check_documents`. A document is refused when a
required field is missing, its review is overdue, its id is not unique or does
not match its file name, or it points to a document that does not exist.
Expired documents are never served: :func:`servable` drops them at load time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from bot.config import ROOT

KNOWLEDGE_DIR = ROOT / "knowledge"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Source(BaseModel):
    """An authoritative public source for the document's facts."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3)
    url: HttpUrl


class FrontMatter(BaseModel):
    """What every document must declare before it may be quoted to a patient."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3)
    language: Literal["en", "hi"]
    audience: str = Field(min_length=3)
    sources: list[Source] = Field(min_length=1)
    reviewed_by: str = Field(min_length=3, description="a reviewer's role, not a name")
    reviewed_on: dt.date
    review_due: dt.date
    tags: list[str] = Field(min_length=1)
    see_also: list[str] = []
    translation_of: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One validated document and where it came from."""

    meta: FrontMatter
    body: str
    path: Path

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a document cannot be served."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.message}"


def parse_document(path: Path) -> Document:
    """Read one file; raises ValueError naming what is wrong."""
    text = path.read_text(encoding="utf-8")
    found = _FRONT_MATTER.match(text)
    if found is None:
        raise ValueError("no front matter (a '---' block at the top)")
    try:
        raw = yaml.safe_load(found.group(1))
        meta = FrontMatter.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ValueError(f"front matter is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(fields) from exc
    body = found.group(2).strip()
    if not body:
        raise ValueError("the document has no text")
    return Document(meta=meta, body=body, path=path)


def expected_id(path: Path) -> str:
    """``dengue.md`` → ``dengue``; ``dengue.hi.md`` → ``dengue-hi``."""
    stem = path.name.removesuffix(".md")
    return stem.replace(".", "-")


def load_documents(directory: Path = KNOWLEDGE_DIR) -> tuple[list[Document], list[Problem]]:
    """Parse every document; return the parsed ones and the problems found."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            documents.append(parse_document(path))
        except (ValueError, OSError) as exc:
            problems.append(Problem(path, str(exc)))
    return documents, problems


def check_documents(documents: list[Document], today: dt.date) -> list[Problem]:
    """Cross-document checks: ids, review dates, references and translations."""
    problems: list[Problem] = []
    counts = Counter(d.id for d in documents)
    by_id = {d.id: d for d in documents}
    for doc in documents:
        meta = doc.meta
        if counts[doc.id] > 1:
            problems.append(Problem(doc.path, f"duplicate id {doc.id!r}"))
        if doc.id != expected_id(doc.path):
            problems.append(Problem(doc.path, f"id {doc.id!r} does not match the file name"))
        if meta.review_due < today:
            problems.append(Problem(doc.path, f"review was due on {meta.review_due}"))
        if meta.reviewed_on > today:
            problems.append(Problem(doc.path, f"reviewed_on {meta.reviewed_on} is in the future"))
        if meta.review_due <= meta.reviewed_on:
            problems.append(Problem(doc.path, "review_due must be after reviewed_on"))
        for ref in meta.see_also:
            if ref not in by_id:
                problems.append(Problem(doc.path, f"see_also points to missing document {ref!r}"))
        if meta.translation_of is not None:
            original = by_id.get(meta.translation_of)
            if original is None:
                problems.append(
                    Problem(
                        doc.path,
                        f"translation_of points to missing document {meta.translation_of!r}",
                    )
                )
            elif original.meta.language == meta.language:
                problems.append(Problem(doc.path, "a translation must be in another language"))
    return problems


def servable(documents: list[Document], today: dt.date) -> list[Document]:
    """Only documents whose review is not overdue may be quoted to patients."""
    return [d for d in documents if d.meta.review_due >= today]
