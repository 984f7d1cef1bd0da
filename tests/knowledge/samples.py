"""Answer jobs built from real knowledge-base passages, for answerer and worker tests."""

from __future__ import annotations

import uuid

from bot.config import ROOT
from bot.knowledge.grounding import AnswerJob, CandidateSentence
from bot.knowledge.passages import Passage

SMOLLM2 = ROOT / "models" / "smollm2-135m-instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf"

FEES = Passage(
    id="ops-fees-payment#1",
    language="en",
    heading="How much does a visit cost?",
    doc_id="ops-fees-payment",
    title="Fees and payment",
    url="https://example.org/sunrise/operations",
    sentences=(
        "An OPD consultation at Sunrise Community Hospital costs Rs 500.",
        "A follow-up visit to the same department within 10 days of a paid consultation "
        "costs Rs 300 instead of Rs 500.",
        "Patients can pay by cash, debit or credit card, or UPI at the billing counter.",
    ),
)
TELECONSULT = Passage(
    id="ops-teleconsultation#2",
    language="en",
    heading="How does a teleconsultation work?",
    doc_id="ops-teleconsultation",
    title="Teleconsultation",
    url="https://example.org/sunrise/operations",
    sentences=(
        "A teleconsultation does not need a visit to the hospital.",
        "The video link for a teleconsultation is sent by SMS before the appointment.",
    ),
)


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
