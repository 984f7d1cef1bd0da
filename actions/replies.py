"""Answers to scripted questions: one action picks the reply for the intent Rasa recognised."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_intent, report, send_reply

# intent → reply key; intents not listed get the fallback reply
REPLY_FOR_INTENT = {
    "greet": "greet",
    "goodbye": "goodbye",
    "thanks": "thanks",
    "clinic_hours": "clinic_hours",
    "visiting_hours": "visiting_hours",
    "location_directions": "location_directions",
    "test_results": "test_results",
    "billing_insurance": "billing_insurance",
    "talk_to_human": "handoff",
    "opt_out": "opt_out",
    "health_question": "health_question",
    "hospital_question": "hospital_question",
    "affirm": "anything_else",
    "deny": "anything_else",
}
# recognised, but not one of the intents a patient's request is reported as
NOT_REPORTED = {"affirm", "deny", "inform", "out_of_scope", "nlu_fallback"}


class ActionReply(Action):
    """Reply to the intent of the patient's latest message."""

    def name(self) -> str:
        return "action_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent, _ = latest_intent(tracker)
        send_reply(dispatcher, tracker, REPLY_FOR_INTENT.get(intent or "", "fallback"))
        report(dispatcher, tracker, intent=None if intent in NOT_REPORTED else intent)
        return []


class ActionCoreFallback(Action):
    """Rasa could not decide what to do next: say so honestly and offer staff."""

    def name(self) -> str:
        return "action_core_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        send_reply(dispatcher, tracker, "fallback")
        report(dispatcher, tracker, intent=None)
        return []
