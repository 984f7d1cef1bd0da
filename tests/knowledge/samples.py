"""Answer jobs built from real knowledge-base passages, for answerer and worker tests."""

from __future__ import annotations

import uuid

from bot.config import ROOT
from bot.knowledge.documents import KNOWLEDGE_DIR, parse_document
from bot.knowledge.grounding import AnswerJob, CandidateSentence
from bot.knowledge.passages import Passage, passages_of

SMOLLM2 = ROOT / "models" / "smollm2-135m-instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def passage(doc: str, heading: str) -> Passage:
    """A real passage of the knowledge base, as the index cuts it."""
    found = passages_of(parse_document(KNOWLEDGE_DIR / f"{doc}.md"))
    return next(p for p in found if p.heading == heading)


FEES = passage("ops-fees-payment", "How much does an OPD consultation cost?")
TELECONSULT = passage("ops-teleconsultation", "Who can use a teleconsultation?")


def fee_job(session_id: str = "s-1", message_id: str = "m-1") -> AnswerJob:
    """A question answered by the second fee sentence."""
    candidates = [
        CandidateSentence(passage_id=p.id, number=n, text=t)
        for p in (FEES, TELECONSULT)
        for n, t in enumerate(p.sentences)
    ]
    return AnswerJob(
        job_id=uuid.uuid4().hex,
        session_id=session_id,
        message_id=message_id,
        channel="api",
        language="en",
        question="how much do i pay if i come back to the same doctor next week",
        passages=(FEES, TELECONSULT),
        candidates=tuple(candidates),
    )
