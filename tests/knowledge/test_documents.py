"""`carebot kb check` refuses documents a patient must not be quoted from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.documents import (
    KNOWLEDGE_DIR,
    check_documents,
    load_documents,
    servable,
)

TODAY = dt.date(2026, 11, 27)
GOOD = """---
id: {id}
title: Fever care at home
language: {language}
audience: patients
sources:
  - title: "MedlinePlus: Fever"
    url: https://medlineplus.gov/fever.html
reviewed_by: Consultant physician, General Medicine
reviewed_on: 2026-11-01
review_due: {due}
tags: [fever]
see_also: [{see_also}]
{extra}---

## What is a fever
A fever is a body temperature of 38 degrees Celsius or higher.
"""


def write(directory: Path, name: str, **fields: str) -> Path:
    values = {
        "id": name.removesuffix(".md").replace(".", "-"),
        "language": "en",
        "due": "2027-11-01",
        "see_also": "",
        "extra": "",
    } | fields
    path = directory / name
    path.write_text(GOOD.format(**values), encoding="utf-8")
    return path


def problems_in(directory: Path) -> list[str]:
    documents, problems = load_documents(directory)
    return [str(p) for p in problems + check_documents(documents, TODAY)]


def test_a_complete_document_passes(tmp_path: Path) -> None:
    write(tmp_path, "fever.md")
    write(tmp_path, "fever.hi.md", language="hi", extra="translation_of: fever\n")
    assert problems_in(tmp_path) == []


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"due": "2026-11-26"}, "review was due on 2026-11-26"),
        ({"see_also": "no-such-doc"}, "missing document 'no-such-doc'"),
        ({"id": "other-name"}, "does not match the file name"),
        ({"language": "fr"}, "language"),
        ({"extra": "translation_of: nowhere\n"}, "missing document 'nowhere'"),
    ],
)
def test_broken_documents_are_refused(tmp_path: Path, fields: dict[str, str], problem: str) -> None:
    write(tmp_path, "fever.md", **fields)
    found = problems_in(tmp_path)
    assert found and problem in " ".join(found)


@pytest.mark.parametrize("remove", ["reviewed_by", "sources", "review_due", "title"])
def test_missing_fields_are_refused(tmp_path: Path, remove: str) -> None:
    path = write(tmp_path, "fever.md")
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{remove}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    path.write_text("".join(lines[:start] + lines[end:]))
    assert any(remove in p for p in problems_in(tmp_path))


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "fever.md")
    write(tmp_path, "fever-care.md", id="fever")
    assert any("duplicate id 'fever'" in p for p in problems_in(tmp_path))


def test_no_front_matter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# just notes\n")
    assert problems_in(tmp_path) == ["notes.md: no front matter (a '---' block at the top)"]


def test_expired_documents_are_never_served(tmp_path: Path) -> None:
    write(tmp_path, "fever.md", due="2026-11-20")
    write(tmp_path, "dengue.md")
    documents, _ = load_documents(tmp_path)
    assert [d.id for d in servable(documents, TODAY)] == ["dengue"]


def test_kb_check_command_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "fever.md", due="2020-01-01")
    assert main(["kb", "check", "--dir", str(tmp_path)]) == 1
    assert "refused  fever.md: review was due" in capsys.readouterr().out


def test_the_shipped_knowledge_base_passes_the_check() -> None:
    documents, problems = load_documents(KNOWLEDGE_DIR)
    assert problems + check_documents(documents, dt.date.today()) == []
    # at least 40 documents, and Hindi versions of at least 10 of them
    assert sum(d.meta.language == "en" for d in documents) >= 40
    assert sum(d.meta.language == "hi" for d in documents) >= 10
    assert all(d.meta.translation_of for d in documents if d.meta.language == "hi")
