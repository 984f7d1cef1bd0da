"""The router: one function from a patient's message to carebot's replies.

Read :meth:`Router.decide` top to bottom to learn the product's safety order:
safety triage → consent (opt-out) → handoff → knowledge, when a vetted sentence
answers better than a scripted reply → scripted dialogue (Rasa) → honest
fallback. Triage runs first on every message and needs neither Redis nor Rasa;
nothing after it can override it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import staff_queues
from bot.audit import log_event
from bot.config import Settings
from bot.consent import (
    is_help_command,
    is_opt_out_request,
    is_start_command,
    is_stop_command,
)
from bot.content import Content
from bot.dialogue import DialogueClient, DialogueTurn
from bot.inbox import Inbox
from bot.knowledge.retriever import Retrieval
from bot.knowledge.service import HANDOFF_MARGIN, KnowledgeService
from bot.messages import InboundMessage, Language, Outcome, Reply, Route
from bot.person_request import asks_for_a_person
from bot.rate_limit import RateLimited, RateLimiter
from bot.safety.triage import TriageResult, triage
from bot.sessions import SessionState, SessionStore, Turn, now

# Rasa intents whose route is not "intent"
HANDOFF_INTENT = "talk_to_human"
HANDOFF_PAYLOAD = f"/{HANDOFF_INTENT}"  # Rasa takes "/intent" as that intent, skipping NLU
OPT_OUT_INTENT = "opt_out"
# What Rasa's NLU says of a question for the knowledge route: a health question, a
# question about the hospital's rules and services beyond the scripted replies, or a
# message it could not place or found out of its scripted scope.
HEALTH_INTENT = "health_question"
QUESTION_INTENTS = frozenset({HEALTH_INTENT, "hospital_question"})
KNOWLEDGE_INTENTS = QUESTION_INTENTS | {"out_of_scope"}
UNPLACED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
# Intents only Rasa can handle, whatever the knowledge base holds: the yes/no/details
# that continue a conversation Rasa is leading. (A request for a person stays with
# Rasa unless the message is plainly a question the knowledge base answers.)
RASA_ONLY_INTENTS = frozenset({"affirm", "deny", "inform"})


class RedisUnavailable(RuntimeError):
    """Redis could not be reached; the message was not accepted."""


@dataclass(frozen=True, slots=True)
class Turnaround:
    """An outcome and whether it was already answered before (a resent message)."""

    outcome: Outcome
    replayed: bool = False


class Router:
    """Decides every message's route; the API, channels and eval all call :meth:`handle`."""

    def __init__(
        self,
        settings: Settings,
        content: Content,
        redis: Redis,
        dialogue: DialogueClient,
        knowledge: KnowledgeService | None = None,
    ) -> None:
        self.settings = settings
        self.content = content
        self.redis = redis
        self.dialogue = dialogue
        self.knowledge = knowledge
        self.sessions = SessionStore(
            redis, settings.session_ttl_seconds, settings.history_max_turns
        )
        self.inbox = Inbox(redis, settings.session_ttl_seconds)
        self.rate_limiter = RateLimiter(
            redis, settings.rate_limit_messages, settings.rate_limit_window_seconds
        )

    async def handle(self, message: InboundMessage) -> Turnaround:
        """Store the message, decide its replies, store the outcome.

        Raises:
            RedisUnavailable: Redis is down and the message is not urgent.
            RateLimited: the sender sent too many messages; nothing was accepted.
            DialogueUnavailable: Rasa is down; the message is stored as failed.
        """
        started = time.perf_counter()
        result = triage(message.text)
        try:
            if not result.is_urgent:  # an emergency is never rate limited
                verdict = await self.rate_limiter.check(message.session_id)
                if not verdict.allowed:
                    log_event("rate_limited", session_id=message.session_id, level=30)
                    raise RateLimited(verdict)
            previous = await self.inbox.get(message.session_id, message.message_id)
            if previous and previous.status == "answered" and previous.outcome is not None:
                return Turnaround(previous.outcome, replayed=True)
            record = await self.inbox.accept(message)
        except RedisError as exc:
            if result.is_urgent:
                # Safety beats storage: answer an emergency even with Redis down.
                log_event(
                    "alert_not_stored", session_id=message.session_id, rules=result.rules, level=40
                )
                return Turnaround(self.safety_outcome(result, result.language))
            raise RedisUnavailable(str(exc)) from exc
        try:
            outcome = await self.decide(message, result)
        except Exception:
            await self.inbox.finish(record, "failed")
            raise
        await self.inbox.finish(record, "answered", outcome)
        log_event(
            "turn",
            session_id=message.session_id,
            channel=message.channel,
            route=outcome.route.value,
            intent=outcome.intent,
            rules=outcome.rules,
            language=outcome.language,
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return Turnaround(outcome)

    async def decide(self, message: InboundMessage, result: TriageResult) -> Outcome:
        """The routing policy, in the order patient safety requires."""
        session = await self.sessions.load(message.session_id) or SessionState(
            channel=message.channel, locale=self.settings.locale
        )
        session.language = choose_language(session.language, message.text, result.language)

        # 1. Safety triage: deterministic, first, never overridden.
        if result.is_urgent:
            await staff_queues.raise_alert(
                self.redis,
                session_id=message.session_id,
                channel=message.channel,
                category=result.category or "",
                rules=result.rules,
                language=session.language,
                text=message.text,
            )
            outcome = self.safety_outcome(result, session.language)
        # HELP (a carrier rule): the hospital's contact details, even after STOP.
        elif is_help_command(message.text):
            outcome = self._reply(Route.INTENT, "help", "help", session)
        # 2. Consent: an opted-out sender hears nothing until they opt back in.
        elif session.opted_out and not is_start_command(message.text):
            outcome = Outcome(route=Route.OPT_OUT, language=session.language)
        elif is_start_command(message.text) and session.opted_out:
            session.opted_out = False
            outcome = self._reply(Route.INTENT, None, "opt_in", session)
        elif is_stop_command(message.text):
            session.opted_out = True
            outcome = self._reply(Route.OPT_OUT, OPT_OUT_INTENT, "opt_out", session)
        # 3. Handoff: staff own the conversation; pass the message on, stay silent.
        elif session.in_handoff:
            await staff_queues.record_handoff(
                self.redis,
                session_id=message.session_id,
                channel=message.channel,
                text=message.text,
            )
            outcome = Outcome(route=Route.HANDOFF, intent=None, language=session.language)
        # A message too long to read gets a polite reply rather than a guess.
        elif len(message.text) > self.settings.max_text_chars:
            outcome = self._reply(
                Route.FALLBACK,
                None,
                "too_long",
                session,
                max_chars=str(self.settings.max_text_chars),
            )
        # 4. Knowledge, when a vetted sentence answers better than a scripted reply;
        # 5. scripted dialogue (Rasa); 6. honest fallback.
        else:
            outcome = await self._converse(message, session)

        await self.sessions.save(
            message.session_id,
            session,
            [
                Turn(role="patient", text=message.text, at=now()),
                # a knowledge answer is added to the history by the worker that wrote it
                *(
                    Turn(role="bot", text=r.text, route=outcome.route.value, at=now())
                    for r in outcome.replies
                    if outcome.job_id is None
                ),
            ],
        )
        return outcome

    async def _converse(self, message: InboundMessage, session: SessionState) -> Outcome:
        """The knowledge base or Rasa, whichever answers this message better.

        Outside a form, retrieval (in a thread) and Rasa's turn run at the same
        time, so the check costs no extra wait. When retrieval found vetted
        sentences that answer the question better than the scripted reply of the
        intent Rasa recognised, the knowledge route answers and Rasa's turn is
        rewound (a form it started, slots it set), as if Rasa had not seen it.
        """
        text = message.text
        if session.form is None and asks_for_a_person(text):
            # a request for a person in so many words is one, whatever NLU reads
            # ("can I speak to a counsellor" is a hospital question to it)
            text = HANDOFF_PAYLOAD
        send = self.dialogue.send(
            message.session_id,
            text,
            language=session.language,
            locale=session.locale,
            channel=message.channel,
        )
        retrieval: Retrieval | None = None
        if self.knowledge is not None and session.form is None and not is_payload(text):
            searching = asyncio.ensure_future(self.knowledge.search(message.text, session.language))
            try:
                turn = await send
            except BaseException:
                searching.cancel()
                raise
            retrieval = await searching
            intent = self._reported_intent(message.text, turn.nlu_intent)
            if retrieval.answerable and self._knowledge_answers(intent, retrieval):
                if intent not in KNOWLEDGE_INTENTS and intent is not None:
                    await self.dialogue.rewind(message.session_id)
                outcome = await self.knowledge.ask(
                    message, session.language, session.locale, retrieval=retrieval
                )
                return outcome.model_copy(update={"intent": intent})
        else:
            turn = await send
        session.form = turn.form
        return await self._after_dialogue(message, session, turn, retrieval)

    @staticmethod
    def _reported_intent(text: str, intent: str | None) -> str | None:
        """The intent an outcome reports: none for what Rasa could not place, and a
        health question for an "opt-out" that is not about messages ("should I stop
        the tablets?"), which is answered, never taken as an opt-out."""
        if intent in UNPLACED_INTENTS:
            return None
        if intent == OPT_OUT_INTENT and not is_opt_out_request(text):
            return HEALTH_INTENT
        return intent

    def _knowledge_answers(self, intent: str | None, found: Retrieval) -> bool:
        """Whether the knowledge route should take a message retrieval can answer."""
        if intent is None or intent in KNOWLEDGE_INTENTS:
            return True
        if intent in RASA_ONLY_INTENTS or intent == OPT_OUT_INTENT or self.knowledge is None:
            return False
        if intent == HANDOFF_INTENT:
            return self.knowledge.prefers_knowledge(intent, found, margin=HANDOFF_MARGIN)
        return self.knowledge.prefers_knowledge(intent, found)

    async def _after_dialogue(
        self,
        message: InboundMessage,
        session: SessionState,
        turn: DialogueTurn,
        retrieval: Retrieval | None,
    ) -> Outcome:
        """Turn Rasa's answer into a route, with the side effects the route needs."""
        turn = replace(turn, intent=self._reported_intent(message.text, turn.intent))
        asks_knowledge = turn.intent is None or turn.intent in KNOWLEDGE_INTENTS
        if asks_knowledge and self.knowledge is not None and not turn.form:
            outcome = await self.knowledge.ask(
                message, session.language, session.locale, retrieval=retrieval
            )
            # An answer, or a question the knowledge base cannot answer, is the
            # knowledge route's; for anything else Rasa could not place ("tell me a
            # joke", gibberish) its own fallback fits better than "no vetted information".
            if outcome.job_id is not None or turn.intent in QUESTION_INTENTS:
                return outcome.model_copy(update={"intent": turn.intent})
        if not turn.replies:
            return self._reply(Route.FALLBACK, None, "fallback", session)
        if turn.intent == HANDOFF_INTENT:
            session.handoff_until = now() + self.settings.handoff_ttl_seconds
            await staff_queues.record_handoff(
                self.redis,
                session_id=message.session_id,
                channel=message.channel,
                text=message.text,
            )
            route = Route.HANDOFF
        elif turn.intent == OPT_OUT_INTENT:
            session.opted_out = True
            route = Route.OPT_OUT
        elif asks_knowledge:
            route = Route.FALLBACK
        else:
            route = Route.INTENT
        return Outcome(
            route=route, intent=turn.intent, replies=turn.replies, language=session.language
        )

    def safety_outcome(self, result: TriageResult, language: Language) -> Outcome:
        """The scripted emergency or crisis reply for the deployment's locale."""
        route = Route.CRISIS if result.category == "crisis" else Route.EMERGENCY
        reply = self.content.reply(route.value, language, self.settings.locale)
        return Outcome(route=route, replies=(reply,), language=language, rules=result.rules)

    def _reply(
        self, route: Route, intent: str | None, key: str, session: SessionState, **extra: str
    ) -> Outcome:
        reply: Reply = self.content.reply(key, session.language, session.locale, **extra)
        return Outcome(route=route, intent=intent, replies=(reply,), language=session.language)


def choose_language(previous: Language, text: str, detected: Language) -> Language:
    """Follow the patient's language, without flipping to English on "ok" or a button."""
    if detected != "en" or previous == "en":
        return detected
    words = text.split()
    if is_payload(text) or len(words) < 3:
        return previous
    return detected


def is_payload(text: str) -> bool:
    """A button's payload ("/talk_to_human"), meant for Rasa, not typed by the patient."""
    return text.startswith("/")
