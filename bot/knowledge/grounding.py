"""The data a knowledge answer is made from and made of, as it travels through Redis.

An :class:`AnswerJob` carries the question and exactly the passages retrieved
for it, so the worker can only quote (and the verifier only accept) text
retrieved for this question. A :class:`KnowledgeAnswer` is what the patient
gets, plus the redacted facts of how it was produced.
"""

from __future__ import annotations

from typing import Literal

from bot.knowledge.passages import Passage
from bot.knowledge.retriever import Retrieval
from bot.messages import Channel, Citation, FrozenModel, Language

AnswerMode = Literal["extractive", "abstractive"]
# "retrieval_only": the model failed, so retrieval's best vetted sentence is quoted alone
Path_ = Literal["extractive", "abstractive", "extractive_fallback", "retrieval_only", "refused"]


class CandidateSentence(FrozenModel):
    """A sentence offered to the model, by passage id and position."""

    passage_id: str
    number: int
    text: str
    english: str | None = None  # the aligned English sentence, shown to the model instead

    @property
    def shown(self) -> str:
        """What the model reads for this sentence: the English, where the quote is Hindi."""
        return self.english or self.text


class AnswerJob(FrozenModel):
    """One knowledge question waiting for a worker."""

    job_id: str
    session_id: str
    message_id: str
    channel: Channel
    language: Language
    question: str
    passages: tuple[Passage, ...]  # the only text an answer may use
    candidates: tuple[CandidateSentence, ...]
    max_chars: int = 1600
    created_at: float = 0.0


class KnowledgeAnswer(FrozenModel):
    """A finished answer: the reply text and how it was produced (no patient text)."""

    job_id: str
    text: str  # the whole reply, with its source line
    answered: bool
    path: Path_
    body: str = ""  # the answer alone: quoted sentences or the verified draft
    quoted: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    rejected: tuple[str, ...] = ()  # verifier problem kinds of a refused abstractive draft
    prompt_tokens: int = 0
    generated_tokens: int = 0
    seconds: float = 0.0
    worker: str = ""


def job_for(
    retrieval: Retrieval,
    *,
    job_id: str,
    session_id: str,
    message_id: str,
    channel: Channel,
    language: Language,
    question: str,
    max_chars: int,
    created_at: float,
) -> AnswerJob:
    """Package what retrieval found for a worker."""
    return AnswerJob(
        job_id=job_id,
        session_id=session_id,
        message_id=message_id,
        channel=channel,
        language=language,
        question=question,
        passages=tuple(s.passage for s in retrieval.passages),
        candidates=tuple(
            CandidateSentence(
                passage_id=c.passage.id, number=c.number, text=c.text, english=c.english
            )
            for c in retrieval.candidates
        ),
        max_chars=max_chars,
        created_at=created_at,
    )
