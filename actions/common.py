"""What every carebot action needs: the patient's language and locale, and reply sending.

The gateway passes ``language`` and ``locale`` as message metadata, so replies
follow the patient without a Rasa slot per turn. Each action also sends one
machine-readable ``carebot`` JSON message telling the gateway which intent (or
form) answered; the gateway strips it before anything reaches a patient.
"""

from __future__ import annotations

from typing import Any, cast, get_args

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content import Content, load_content
from bot.messages import Language, Reply

FORM_SUFFIX = "_form"


def content() -> Content:
    """The deployment's replies and facts (loaded once per process)."""
    return load_content()


def metadata(tracker: Tracker) -> dict[str, Any]:
    meta = (tracker.latest_message or {}).get("metadata") or {}
    return meta if isinstance(meta, dict) else {}


def language_of(tracker: Tracker) -> Language:
    """The reply language the gateway chose for this session (default English)."""
    value = metadata(tracker).get("language")
    return cast(Language, value) if value in get_args(Language) else "en"


def locale_of(tracker: Tracker) -> str:
    value = metadata(tracker).get("locale")
    return value if isinstance(value, str) and value in content().locales else "IN"


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send one rendered reply with its quick-reply buttons."""
    buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    dispatcher.utter_message(text=reply.text, buttons=buttons or None)


def send_reply(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **extra: str) -> None:
    """Render the catalogue reply ``key`` in the patient's language and send it."""
    send(dispatcher, content().reply(key, language_of(tracker), locale_of(tracker), **extra))


def report(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    intent: str | None,
    form: str | None = None,
) -> None:
    """Tell the gateway which intent or form produced this turn's replies."""
    _, confidence = latest_intent(tracker)
    dispatcher.utter_message(
        json_message={
            "carebot": {
                "intent": intent,
                "confidence": confidence,
                "form": form,
                "nlu_intent": latest_intent(tracker)[0],
            }
        }
    )


def form_intent(form_name: str | None) -> str | None:
    """``book_appointment_form`` → ``book_appointment``."""
    return form_name.removesuffix(FORM_SUFFIX) if form_name else None
