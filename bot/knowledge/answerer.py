"""Grounded answering: the model chooses vetted sentences (extractive) or drafts an
answer that the verifier must accept (abstractive); the patient only ever reads
vetted sentences or a verified draft.

Extractive (default): the candidates are shown as numbered sentences and the
model returns grammar-constrained JSON ids; the reply quotes those sentences
verbatim, in document order, with the citation, together with retrieval's
two best-ranked sentences (the model chooses from the others); a question
that asks for an amount gets a sentence that gives it, and one about eating
a named food a sentence that names it, or is declined
(bot/knowledge/amounts.py, bot/knowledge/foods.py). A Hindi sentence is shown to the model as its
aligned English one (under half the tokens) and quoted in Hindi. Whether to
answer at all was already decided by retrieval (bot/knowledge/retriever.py): measured,
the model never says "none".

Abstractive (``CAREBOT_ANSWER_MODE=abstractive``, for larger models): the
model writes a short answer citing passage numbers; if the verifier finds any
problem, the extractive answer is sent instead and the draft is dropped.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from langchain_core.messages import BaseMessage

from bot.content import Content
from bot.knowledge.amounts import asked_amount, gives_amount
from bot.knowledge.foods import answers_food, asked_foods
from bot.knowledge.grounding import AnswerJob, AnswerMode, CandidateSentence, KnowledgeAnswer
from bot.knowledge.prompts import chat_prompt, prompt_text
from bot.knowledge.verifier import verify
from bot.llm.model import Generation, LocalModel
from bot.messages import Citation

MAX_QUOTED = 3
RETRIEVAL_QUOTED = 2  # of them, retrieval's best-ranked sentences
NO_ANSWER = "NO_ANSWER"
_CITATION = re.compile(r"\s*\[(\d{1,2})\]")
NOTHING_GENERATED = Generation(text="", prompt_tokens=0, generated_tokens=0, seconds=0.0)
Emit = Callable[[str, str], None]  # (event kind, text) for streaming to the caller


def _ids_grammar(count: int) -> str:
    """GBNF for {"ids": [...]} with up to three ids, each one of 1..count."""
    ids = " | ".join(f'"{n}"' for n in range(1, count + 1))
    return prompt_text("extractive.gbnf").replace("[1-9] [0-9]?", ids)


def extractive_prompt(job: AnswerJob) -> tuple[list[BaseMessage], str]:
    """The model's messages and grammar for an extractive job: the question and the
    candidates after retrieval's two best, numbered from 1."""
    offered = job.candidates[RETRIEVAL_QUOTED:]
    numbered = "\n".join(f"{n}. {c.shown}" for n, c in enumerate(offered, start=1))
    messages = chat_prompt("extractive").format_messages(question=job.question, sentences=numbered)
    return messages, _ids_grammar(len(offered))


def _giving_amount(job: AnswerJob, quoted: list[CandidateSentence]) -> list[CandidateSentence]:
    """``quoted``, made to give the amount the question asks for (bot/knowledge/amounts.py).

    When none of the quoted sentences gives it, the best-ranked candidate that
    gives the unit asked for ("kitne ghante" → "after 24 hours") replaces the
    model's pick. A bare number ("how many scans") is too loose a match to go
    looking for: then, as when no candidate gives a required unit, nothing is
    quoted and the question is declined. An amount that is only preferred
    ("how long") leaves the quotes as they are.
    """
    asked = asked_amount(job.question)
    if asked is None or any(gives_amount(c.shown, asked) for c in quoted):
        return quoted
    giving = None
    if asked.unit is not None:
        giving = next((c for c in job.candidates if gives_amount(c.shown, asked)), None)
    if giving is not None:
        return [*quoted[:RETRIEVAL_QUOTED], giving]
    return [] if asked.required else quoted


def _naming_foods(job: AnswerJob, quoted: list[CandidateSentence]) -> list[CandidateSentence]:
    """``quoted``, made to name each food the question asks about (bot/knowledge/foods.py):
    the best-ranked candidate that names it replaces the model's pick, and
    with no such candidate nothing is quoted and the question is declined."""
    needed: list[CandidateSentence] = []
    for asked in asked_foods(job.question):
        if any(answers_food(c.shown, asked) for c in quoted):
            continue
        naming = next((c for c in job.candidates if answers_food(c.shown, asked)), None)
        if naming is None:
            return []
        needed.append(naming)
    if not needed:
        return quoted
    return list(dict.fromkeys([*quoted[:RETRIEVAL_QUOTED], *needed]))[:MAX_QUOTED]


def _answering(
    job: AnswerJob, quoted: list[CandidateSentence]
) -> tuple[list[CandidateSentence], str]:
    """``quoted``, made to give what the question asks for by name (an amount, a
    food), or nothing and why, when no candidate gives it."""
    quoted = _giving_amount(job, quoted)
    if not quoted:
        return [], "no_amount"
    quoted = _naming_foods(job, quoted)
    return (quoted, "") if quoted else ([], "unnamed_food")


class Answerer:
    """Turns an :class:`AnswerJob` into a :class:`KnowledgeAnswer` with one model."""

    def __init__(self, model: LocalModel, content: Content, locale: str, mode: AnswerMode) -> None:
        self.model = model
        self.content = content
        self.locale = locale
        self.mode = mode

    def answer(self, job: AnswerJob, emit: Emit | None = None) -> KnowledgeAnswer:
        """Answer one job; ``emit`` receives each sentence (or draft token) as it is ready."""
        started = time.perf_counter()
        if not job.candidates:
            return self.refusal(job)
        rejected: tuple[str, ...] = ()
        if self.mode == "abstractive":
            drafted = self._abstractive(job, emit)
            if isinstance(drafted, KnowledgeAnswer):
                return drafted.model_copy(update={"seconds": time.perf_counter() - started})
            rejected = drafted
        chosen, generation = self._choose(job)
        chosen, missing = _answering(job, chosen)
        if missing:
            return self.refusal(job).model_copy(
                update={"rejected": (missing,), "seconds": time.perf_counter() - started}
            )
        result = self._quote(job, chosen, generation, emit)
        if rejected:
            result = result.model_copy(update={"path": "extractive_fallback", "rejected": rejected})
        return result.model_copy(update={"seconds": time.perf_counter() - started})

    def without_model(self, job: AnswerJob) -> KnowledgeAnswer:
        """Retrieval's best vetted sentence alone, for when the model fails on a job."""
        if not job.candidates:
            return self.refusal(job)
        best, missing = _answering(job, [job.candidates[0]])
        if missing:
            return self.refusal(job).model_copy(update={"rejected": (missing,)})
        quoted = self._quote(job, best, NOTHING_GENERATED, None)
        return quoted.model_copy(update={"path": "retrieval_only"}) if quoted.answered else quoted

    def refusal(self, job: AnswerJob) -> KnowledgeAnswer:
        """The honest "no vetted information" reply, with the offer of staff."""
        reply = self.content.reply("knowledge_unknown", job.language, self.locale)
        return KnowledgeAnswer(job_id=job.job_id, text=reply.text, answered=False, path="refused")

    def _choose(self, job: AnswerJob) -> tuple[list[CandidateSentence], Generation]:
        # Retrieval already decided to answer, and its two best-ranked sentences
        # are always quoted; the model chooses what to add from the rest. Measured
        # on the public set, the small model's choice alone held the expected facts
        # in 56 % of answers, with retrieval's best sentence added in 81 %; the
        # answering sentence is retrieval's first or second in 81 % of questions,
        # the model's pick reaches further down. Shown only the rest, its pick
        # always adds a sentence (shown all, it often re-picked the first two) and
        # the prompt is two sentences shorter. Every quoted sentence is vetted.
        first = list(job.candidates[:RETRIEVAL_QUOTED])
        offered = job.candidates[RETRIEVAL_QUOTED:]
        if not offered:
            return first, NOTHING_GENERATED
        messages, grammar = extractive_prompt(job)
        generation = self.model.generate(messages, max_tokens=24, grammar=grammar)
        chosen: list[CandidateSentence] = []
        try:
            ids = json.loads(generation.text).get("ids", [])
        except (json.JSONDecodeError, AttributeError):
            ids = []
        for n in ids:
            if isinstance(n, int) and 1 <= n <= len(offered):
                candidate = offered[n - 1]
                if candidate not in chosen:
                    chosen.append(candidate)
        return [*first, *chosen][:MAX_QUOTED], generation

    def _quote(
        self,
        job: AnswerJob,
        chosen: list[CandidateSentence],
        generation: Generation,
        emit: Emit | None,
    ) -> KnowledgeAnswer:
        order = {p.id: i for i, p in enumerate(job.passages)}
        chosen = sorted(chosen, key=lambda c: (order.get(c.passage_id, 99), c.number))
        passages = {p.id: p for p in job.passages}
        cited = list(dict.fromkeys(c.passage_id for c in chosen))
        body = " ".join(c.text for c in chosen)
        verdict = verify(body, cited, {p.id: p.text for p in job.passages}, max_chars=job.max_chars)
        if not verdict.ok:  # quotes are verbatim, so this means a broken job: refuse
            return self.refusal(job).model_copy(update={"rejected": verdict.kinds})
        citations = tuple(
            dict.fromkeys(
                Citation(id=passages[p].doc_id, title=passages[p].title, url=passages[p].url)
                for p in cited
            )
        )
        if emit:
            for c in chosen:
                emit("sentence", c.text)
        text = self._render(job, body, citations)
        return KnowledgeAnswer(
            job_id=job.job_id,
            text=text,
            answered=True,
            path="extractive",
            body=body,
            quoted=tuple(c.text for c in chosen),
            citations=citations,
            prompt_tokens=generation.prompt_tokens,
            generated_tokens=generation.generated_tokens,
        )

    def _abstractive(self, job: AnswerJob, emit: Emit | None) -> KnowledgeAnswer | tuple[str, ...]:
        """A verified draft, or the verifier's problem kinds when it must not be sent."""
        numbered = {str(n): p for n, p in enumerate(job.passages, start=1)}
        messages = chat_prompt("abstractive").format_messages(
            question=job.question,
            passages="\n".join(f"[{n}] {p.text}" for n, p in numbered.items()),
        )
        draft = ""
        for token in self.model.stream(messages, max_tokens=160):
            draft += token
            if emit:
                emit("draft", token)
        draft = draft.strip()
        if not draft or draft.startswith(NO_ANSWER):
            return ("empty",)
        cited = list(dict.fromkeys(_CITATION.findall(draft)))
        verdict = verify(
            draft, cited, {n: p.text for n, p in numbered.items()}, max_chars=job.max_chars
        )
        if not verdict.ok:
            return verdict.kinds
        citations = tuple(
            dict.fromkeys(
                Citation(id=numbered[n].doc_id, title=numbered[n].title, url=numbered[n].url)
                for n in cited
            )
        )
        body = _CITATION.sub("", draft).strip()
        if emit:
            emit("verified", body)
        return KnowledgeAnswer(
            job_id=job.job_id,
            text=self._render(job, body, citations),
            answered=True,
            path="abstractive",
            body=body,
            citations=citations,
            prompt_tokens=self.model.count_tokens(messages),
        )

    def _render(self, job: AnswerJob, body: str, citations: tuple[Citation, ...]) -> str:
        title = "; ".join(c.title for c in citations)
        reply = self.content.reply(
            "knowledge_answer", job.language, self.locale, answer=body, title=title
        )
        return reply.text
