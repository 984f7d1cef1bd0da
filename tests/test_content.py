"""Patient-facing content renders in every language and locale, and bad content fails loudly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import LANGUAGES, Content, ContentError, load_content


@pytest.mark.parametrize("locale", ["IN", "US", "GB"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reply_renders(language: str, locale: str) -> None:
    content = load_content()
    for key in content.catalogue.replies:
        reply = content.reply(
            key,
            language,
            locale,
            summary="x",
            max_chars="10",
            answer="a",
            title="t",  # type: ignore[arg-type]
        )
        assert reply.text and "{" not in reply.text


@pytest.mark.parametrize(
    ("locale", "numbers"),
    [
        ("IN", ["112", "108"]),
        ("US", ["911"]),
        ("GB", ["999"]),
    ],
)
def test_emergency_reply_gives_the_locale_numbers(locale: str, numbers: list[str]) -> None:
    for language in LANGUAGES:
        text = load_content().reply("emergency", language, locale).text
        assert all(n in text for n in numbers)


@pytest.mark.parametrize(("locale", "number"), [("IN", "14416"), ("US", "988"), ("GB", "111")])
def test_crisis_reply_gives_the_crisis_line(locale: str, number: str) -> None:
    for language in LANGUAGES:
        assert number in load_content().reply("crisis", language, locale).text


def test_hospital_facts_come_from_the_data_file() -> None:
    content = load_content()
    assert content.hospital.opd_hours.en in content.reply("clinic_hours", "en", "IN").text


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(Path(__file__).parent.parent / "data", target)
    return target


def test_missing_translation_is_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    replies = data / "replies.yml"
    replies.write_text(replies.read_text().replace("  goodbye:\n    en:", "  goodbye:\n    xx:", 1))
    with pytest.raises(ContentError, match=r"replies\.yml"):
        Content(data)


def test_unknown_placeholder_is_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    replies = data / "replies.yml"
    replies.write_text(replies.read_text().replace("{opd_hours}", "{opening_times}", 1))
    with pytest.raises(ContentError, match="opening_times"):
        Content(data)


def test_unknown_locale_is_rejected() -> None:
    with pytest.raises(ContentError, match="XX"):
        load_content().locale("XX")
