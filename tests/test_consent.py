"""Bare opt-out and opt-in commands are recognised exactly, in every language."""

from __future__ import annotations

import pytest

from bot.consent import is_opt_out_request, is_start_command, is_stop_command


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


@pytest.mark.parametrize(
    "text",
    [
        "stop please",
        "please stop texting me",
        "remove my number from your list",
        "मैसेज भेजना बंद करें",
        "reminder bhejna band kar do",
        "दोबारा संपर्क मत करना",
        "मुझे अनसब्सक्राइब कर दो",
    ],
)
def test_free_text_opt_outs_about_messages_are_honoured(text: str) -> None:
    assert is_opt_out_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "should i stop breastfeeding if my baby has loose motions?",
        "can i stop the antibiotics once the fever is gone",
        "बच्चे को दस्त हैं तो क्या माँ का दूध पिलाना बंद कर दें?",
        "bukhar utar gaya to dawai band kar du kya",
        # a question about a number asks for one
        "tele manas ka toll free number kya hai",
        "can i get reminders for my vaccine?",
    ],
)
def test_a_question_that_says_stop_or_number_is_not_an_opt_out(text: str) -> None:
    assert not is_opt_out_request(text)
