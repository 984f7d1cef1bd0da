"""Bare opt-out and opt-in commands are recognised exactly, in every language."""

from __future__ import annotations

import pytest

from bot.consent import is_start_command, is_stop_command


@pytest.mark.parametrize(
    "text", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "stopall", "बंद करो", "band karo"]
)
def test_stop_commands(text: str) -> None:
    assert is_stop_command(text)


@pytest.mark.parametrize(
    "text", ["stop the booking and talk to someone", "don't stop", "cancel my appointment", "bandh"]
)
def test_sentences_are_not_stop_commands(text: str) -> None:
    assert not is_stop_command(text)


@pytest.mark.parametrize("text", ["START", "start", "unstop", "शुरू करो", "shuru"])
def test_start_commands(text: str) -> None:
    assert is_start_command(text)
