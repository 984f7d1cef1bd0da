"""Front-desk request forms: book, reschedule or cancel an appointment, refill a prescription.

Rasa's forms collect the slots listed in ``dialogue/domain.yml``; these actions
ask for each slot in the patient's language, check what they typed, and on
confirmation record the request for staff. Nothing is booked: the front desk
confirms every request itself, and the patient is told so.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    content,
    form_intent,
    language_of,
    latest_intent,
    locale_of,
    report,
    send,
    send_reply,
)
from actions.replies import REPLY_FOR_INTENT
from actions.storage import save_request

REQUEST_SLOTS = (
    "department",
    "current_appointment",
    "preferred_date",
    "preferred_time",
    "medicine",
    "prescriber",
    "patient_name",
    "contact_phone",
)
MAX_FIELD_CHARS = 80
_NAME_PREFIX = re.compile(
    r"^\s*(my name is|name is|i am|i'm|this is|naam|mera naam|meri naam|मेरा नाम|नाम)\s*[:\-]?\s*",
    re.IGNORECASE,
)
_NAME_SUFFIX = re.compile(r"\s*(hai|he|h|है)\s*[.!]?\s*$", re.IGNORECASE)
# Questions a patient may ask in the middle of a form, answered before asking again.
INTERRUPTING_INTENTS = {
    "clinic_hours",
    "visiting_hours",
    "location_directions",
    "test_results",
    "billing_insurance",
    "health_question",
    "hospital_question",
}
INTERRUPTION_CONFIDENCE = 0.9
_QUESTION = re.compile(
    r"\?|^\s*(what|when|where|how|which|who|why|is|are|can|could|do|does)\b"
    r"|\b(kya|kab|kahan|kaha|kaise|kaun|kitna|kitni|kitne)\b|(क्या|कब|कहाँ|कहां|कैसे|कौन|कितन)",
    re.IGNORECASE,
)


def interrupting_question(tracker: Tracker) -> str | None:
    """The FAQ intent of a clear question asked instead of answering the form, if any.

    Only a confident intent phrased as a question counts, so an answer such as
    "cardiology, Friday" is never mistaken for a question about directions.
    """
    intent, confidence = latest_intent(tracker)
    text = (tracker.latest_message or {}).get("text") or ""
    if (
        intent in INTERRUPTING_INTENTS
        and confidence >= INTERRUPTION_CONFIDENCE
        and _QUESTION.search(text)
    ):
        return intent
    return None


def clean_field(text: Any) -> str | None:
    """A free-text answer fit to hand to the front desk, or None if unusable."""
    if not isinstance(text, str):
        return None
    value = " ".join(text.split())
    if not value or value.startswith("/") or len(value) > MAX_FIELD_CHARS:
        return None
    return value


def clean_name(text: Any) -> str | None:
    """A person's name from answers like "mera naam Sunita hai" → "Sunita"."""
    value = clean_field(text)
    if value is None:
        return None
    value = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", value)).strip(" .,")
    # letters (any script, with their vowel signs), spaces, dots, apostrophes, hyphens
    ok = all(unicodedata.category(c)[0] in "LM" or c in " .'-" for c in value)
    return value if ok and 2 <= len(value) <= 60 else None


def clean_phone(text: Any) -> str | None:
    """A 10-digit mobile number (an optional +91 or 0 prefix is dropped), else None."""
    if not isinstance(text, str):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def match_department(text: Any) -> str | None:
    """The department a patient named, by name or alias in any language."""
    value = clean_field(text)
    if value is None:
        return None
    lowered = value.casefold()
    for dept in content().hospital.departments.values():
        names = [dept.en, dept.hi, dept.hinglish, *dept.aliases]
        if any(n.casefold() == lowered for n in names):
            return dept.en
    words = set(re.findall(r"\w+", lowered))
    for dept in content().hospital.departments.values():
        for alias in [dept.en, *dept.aliases]:
            alias_words = set(re.findall(r"\w+", alias.casefold()))
            if alias_words and alias_words <= words:
                return dept.en
    return None


class _RequestFormValidation(FormValidationAction):
    """Checks every slot a request form collects; shared by the four forms."""

    form: str = ""

    def name(self) -> str:
        return f"validate_{self.form}"

    async def _reject(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, key: str
    ) -> dict[str, Any]:
        send_reply(dispatcher, tracker, key)
        return {slot: None}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer a question asked mid-form, then ask for the same slot again."""
        requested = tracker.get_slot("requested_slot")
        question = interrupting_question(tracker)
        if requested in REQUEST_SLOTS and question is not None:
            send_reply(dispatcher, tracker, REPLY_FOR_INTENT[question])
            return [SlotSet(requested, None)]
        events: list[EventType] = await super().get_validation_events(dispatcher, tracker, domain)
        return events

    async def validate_department(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if (department := match_department(value)) is not None:
            return {"department": department}
        send_reply(dispatcher, tracker, "unknown_department")
        return {"department": None}

    async def validate_patient_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if (name := clean_name(value)) is not None:
            return {"patient_name": name}
        return await self._reject(dispatcher, tracker, "patient_name", "invalid_text")

    async def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if (phone := clean_phone(value)) is not None:
            return {"contact_phone": phone}
        return await self._reject(dispatcher, tracker, "contact_phone", "invalid_phone")

    async def _validate_text(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if (text := clean_field(value)) is not None:
            return {slot: text}
        return await self._reject(dispatcher, tracker, slot, "invalid_text")


# Free-text answers the front desk reads as written: one shared check, registered
# under the validate_<slot> names rasa-sdk looks up.
FREE_TEXT_SLOTS = (
    "current_appointment",
    "preferred_date",
    "preferred_time",
    "medicine",
    "prescriber",
)


def _free_text_validator(slot: str) -> Any:
    async def validate(
        self: _RequestFormValidation,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        return await self._validate_text(slot, value, dispatcher, tracker)

    validate.__name__ = f"validate_{slot}"
    return validate


for _slot in FREE_TEXT_SLOTS:
    setattr(_RequestFormValidation, f"validate_{_slot}", _free_text_validator(_slot))


class ValidateBookAppointmentForm(_RequestFormValidation):
    form = "book_appointment_form"


class ValidateRescheduleAppointmentForm(_RequestFormValidation):
    form = "reschedule_appointment_form"


class ValidateCancelAppointmentForm(_RequestFormValidation):
    form = "cancel_appointment_form"


class ValidatePrescriptionRefillForm(_RequestFormValidation):
    form = "prescription_refill_form"


def request_summary(tracker: Tracker, form: str | None) -> str:
    """One line listing what the patient asked for, in their language."""
    c, language = content(), language_of(tracker)
    kind = form_intent(form) or ""
    parts = [c.kind_label(kind, language)] if kind else []
    for slot in REQUEST_SLOTS:
        value = tracker.get_slot(slot)
        if value:
            parts.append(f"{c.label(slot, language)}: {value}")
    return "; ".join(parts)


class _AskForSlot(Action):
    """Ask the patient for one slot of the active form, in their language."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = tracker.active_loop.get("name")
        c, language = content(), language_of(tracker)
        extra = {"summary": request_summary(tracker, form)} if self.slot == "confirmed" else {}
        reply = c.reply(f"ask_{self.slot}", language, locale_of(tracker), **extra)
        if self.slot == "department":
            reply = reply.model_copy(update={"buttons": c.department_buttons(language)})
        send(dispatcher, reply)
        report(dispatcher, tracker, intent=form_intent(form), form=form)
        return []


def _ask_action(slot: str) -> type[_AskForSlot]:
    # A module-level name, so sanic's worker processes can pickle the action registry.
    class_name = "AskFor" + "".join(p.title() for p in slot.split("_"))
    cls = type(class_name, (_AskForSlot,), {"slot": slot, "__module__": __name__})
    globals()[class_name] = cls
    return cls


ASK_ACTIONS = [_ask_action(s) for s in (*REQUEST_SLOTS, "confirmed")]


def _reset_request() -> list[EventType]:
    return [SlotSet(s, None) for s in (*REQUEST_SLOTS, "confirmed")]


class ActionSubmitRequest(Action):
    """The form is complete: record the request if the patient confirmed it."""

    def name(self) -> str:
        return "action_submit_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = _last_form(tracker)
        summary = request_summary(tracker, form)
        if tracker.get_slot("confirmed") is True and form:
            fields = {s: str(tracker.get_slot(s)) for s in REQUEST_SLOTS if tracker.get_slot(s)}
            await save_request(
                session_id=tracker.sender_id, kind=form_intent(form) or form, fields=fields
            )
            send_reply(dispatcher, tracker, "request_sent", summary=summary)
        else:
            send_reply(dispatcher, tracker, "request_dropped")
        report(dispatcher, tracker, intent=form_intent(form), form=form)
        return _reset_request()


class ActionStopRequest(Action):
    """The patient stopped a form half-way: drop what was collected."""

    def name(self) -> str:
        return "action_stop_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        send_reply(dispatcher, tracker, "request_dropped")
        report(dispatcher, tracker, intent=form_intent(_last_form(tracker)))
        return _reset_request()


def _last_form(tracker: Tracker) -> str | None:
    """The form that was active most recently (it is already closed when we run)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None
