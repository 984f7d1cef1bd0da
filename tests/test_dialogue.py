"""Rasa's output is split into patient replies and the actions' report."""

from __future__ import annotations

from bot.dialogue import parse_turn


def test_report_is_parsed_and_never_shown_to_the_patient() -> None:
    turn = parse_turn(
        [
            {
                "recipient_id": "s",
                "text": "Which day?",
                "buttons": [{"title": "Morning", "payload": "morning"}],
            },
            {
                "recipient_id": "s",
                "custom": {
                    "carebot": {
                        "intent": "book_appointment",
                        "confidence": 0.9,
                        "form": "f",
                        "nlu_intent": "inform",
                    }
                },
            },
        ]
    )
    assert [r.text for r in turn.replies] == ["Which day?"]
    assert turn.replies[0].buttons[0].payload == "morning"
    assert (turn.intent, turn.form, turn.nlu_intent) == ("book_appointment", "f", "inform")


def test_rasa_saying_nothing_gives_no_replies() -> None:
    turn = parse_turn([])
    assert turn.replies == () and turn.intent is None
