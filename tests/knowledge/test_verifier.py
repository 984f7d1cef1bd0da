"""The verifier lets a patient see a model-written answer only if the vetted text backs it.

Sources are real passages of the knowledge base; the answers are the mistakes a small
model was measured to make (a wrong hour, a flipped negation, an invented number or
medicine, a diagnosis) next to faithful paraphrases that must still get through.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge.documents import KNOWLEDGE_DIR, parse_document
from bot.knowledge.verifier import (
    VOCABULARY_FILE,
    Problem,
    Verdict,
    VocabularyError,
    load_vocabulary,
    verify,
)

LIMIT = 600


def body(doc: str) -> str:
    """The text of knowledge/<doc>.md, without its front matter."""
    return parse_document(KNOWLEDGE_DIR / f"{doc}.md").body


def sections(doc: str) -> dict[str, list[str]]:
    """A document's '## ' sections as the retriever cuts them: heading → its sentence lines."""
    chunks = re.split(r"^## (.*)$", body(doc), flags=re.M)[1:]
    return {
        heading: [line.strip().removeprefix("- ") for line in text.splitlines() if line.strip()]
        for heading, text in zip(chunks[::2], chunks[1::2], strict=True)
    }


def section(doc: str, heading: str) -> str:
    """One section as the retriever passes it on: its sentences, without the heading."""
    return " ".join(sections(doc)[heading])


OPD_HOURS = section("ops-departments-opd-timings", "When is the OPD open?")
OPD_DOCTORS = section(
    "ops-departments-opd-timings", "Is every doctor available in every OPD session?"
)
WALK_IN = section("ops-appointments-policy", "Can I come to the OPD without an appointment?")
BOOKING = section("ops-appointments-policy", "How can I book an OPD appointment?")
ADULT_DOSE = section("paracetamol-safety", "How much paracetamol can adults take?")
DENGUE_CARE = section("dengue", "How is dengue cared for at home?")
DENGUE_SIGNS = section("dengue", "What are the symptoms of dengue?")
VISITING = section("ops-visiting-rules", "When can I visit a patient in the ward?")
ICU = section("ops-visiting-rules", "When can I visit a patient in the ICU?")
OVERDOSE = section("paracetamol-safety", "How can a paracetamol overdose be avoided?")
FEES = section("ops-fees-payment", "How much does an OPD consultation cost?")
GIVING_ORS = section("dehydration-ors", "How should ORS be given?")
WALK_IN_HI = section("ops-appointments-policy.hi", "क्या बिना अपॉइंटमेंट के ओपीडी में आ सकते हैं?")
OPD_HOURS_HI = section("ops-departments-opd-timings.hi", "ओपीडी कब खुली रहती है?")
DENGUE_CARE_HI = section("dengue.hi", "घर पर डेंगू की देखभाल कैसे करें?")


def check(answer: str, *passages: str) -> Verdict:
    """Verify an answer citing passages [1], [2], ... which are also all that was retrieved."""
    ids = [str(n) for n in range(1, len(passages) + 1)]
    return verify(answer, ids, dict(zip(ids, passages, strict=True)), max_chars=LIMIT)


# id: (answer, the passages it cites as [1], [2]…)
FAITHFUL = {
    "hours written as '9 am' for '9:00 am'": (
        "The OPD is open Monday to Saturday, 9 am to 1 pm and 4 pm to 7 pm [1].",
        [OPD_HOURS],
    ),
    "walk-in paraphrase": (
        "Walk-in patients are welcome at the OPD during registration hours; "
        "they get a token at the registration counter and are seen in token order [1].",
        [WALK_IN],
    ),
    "dose limit paraphrase": (
        "Adults should not take more than 4 g of paracetamol in 24 hours, "
        "unless a doctor advises otherwise [1].",
        [ADULT_DOSE],
    ),
    "avoid ibuprofen in dengue": (
        "In dengue, ibuprofen, aspirin and similar painkillers should be avoided "
        "because they raise the bleeding risk [1].",
        [DENGUE_CARE],
    ),
    "two passages, phone number with other spacing": (
        "You can also call the front desk on 0000 000 100 to request an OPD appointment [1]. "
        "The OPD is closed on Sundays and public holidays [2].",
        [BOOKING, OPD_HOURS],
    ),
    "advice wording taken from the passage": (
        "Babies with diarrhoea should keep breastfeeding as usual while also taking ORS [1].",
        [GIVING_ORS],
    ),
    "Hindi walk-in paraphrase": (
        "बिना अपॉइंटमेंट वाले मरीज़ भी रजिस्ट्रेशन के समय ओपीडी में आ सकते हैं [1]।",
        [WALK_IN_HI],
    ),
    "Hindi hours with Devanagari digits": (
        "ओपीडी सोमवार से शनिवार, सुबह ९ बजे से दोपहर १ बजे तक खुली रहती है [1]।",
        [OPD_HOURS_HI],
    ),
}


@pytest.mark.parametrize(("answer", "passages"), FAITHFUL.values(), ids=FAITHFUL)
def test_a_faithful_answer_reaches_the_patient(answer: str, passages: list[str]) -> None:
    verdict = check(answer, *passages)
    assert verdict.ok, verdict.problems


# id: (answer, the passage it cites as [1], the problem kind the verifier must find)
PLANTED_ERRORS = {
    "wrong hour": ("The OPD opens at 10:00 am from Monday to Saturday [1].", OPD_HOURS, "number"),
    "wrong daily limit": (
        "Adults should not take more than 6 g of paracetamol in 24 hours, "
        "unless a doctor advises otherwise [1].",
        ADULT_DOSE,
        "number",
    ),
    "wrong tablet strength": (
        "The usual adult dose is one or two 650 mg paracetamol tablets [1].",
        ADULT_DOSE,
        "number",
    ),
    "the follow-up fee given as the consultation fee": (
        "The OPD consultation fee is Rs 300 [1].",
        FEES,
        "number",
    ),
    "days turned into weeks": (
        "Dengue symptoms usually last 2 to 7 weeks [1].",
        DENGUE_SIGNS,
        "number",
    ),
    "not a confirmed booking flipped": (
        "An appointment request sent through the assistant is a confirmed booking [1].",
        BOOKING,
        "negation",
    ),
    "not allowed flipped": (
        "Flowers, outside food and children are allowed inside the ICU [1].",
        ICU,
        "negation",
    ),
    "walk-ins welcome turned into an appointment being needed": (
        "You need an appointment for the OPD [1].",
        WALK_IN,
        "modality",
    ),
    "double negative that makes an appointment a must": (
        "Patients cannot be seen in the OPD without an appointment [1].",
        WALK_IN,
        "modality",
    ),
    "closed turned into open": ("The OPD is open on Sundays [1].", OPD_HOURS, "negation"),
    "Hindi flipped negation": ("ओपीडी में आने के लिए अपॉइंटमेंट ज़रूरी है [1]।", WALK_IN_HI, "negation"),
    "Hindi closed turned into open": ("ओपीडी रविवार को खुली रहती है [1]।", OPD_HOURS_HI, "negation"),
    "never turned into can": (
        "A double dose of paracetamol can be taken when the pain is very bad [1].",
        OVERDOSE,
        "negation",
    ),
    "invented phone number": (
        "The front desk on 0000 000 999 can confirm which doctor is available [1].",
        OPD_DOCTORS,
        "phone",
    ),
    "invented helpline": ("Call 102 for an ambulance [1].", ADULT_DOSE, "phone"),
    "invented medicine": (
        "Nimesulide is the medicine usually used for fever and pain in dengue [1].",
        DENGUE_CARE,
        "medicine",
    ),
    "diagnosis": (
        "You have dengue, so rest and drink plenty of fluids [1].",
        DENGUE_CARE,
        "advice",
    ),
    "hedged diagnosis": ("It sounds like you have dengue [1].", DENGUE_SIGNS, "advice"),
    "Hindi diagnosis": ("आपको डेंगू है [1]।", DENGUE_CARE_HI, "advice"),
    "Hinglish diagnosis": ("Aapko dengue hai, aaram karein [1].", DENGUE_CARE, "advice"),
    "prescription": ("Take two tablets of paracetamol every 4 hours [1].", ADULT_DOSE, "advice"),
    "dose change": (
        "If the pain is bad, increase your dose of paracetamol [1].",
        ADULT_DOSE,
        "advice",
    ),
    "Hinglish prescription": ("Bukhar ke liye yeh dawai lo [1].", DENGUE_CARE, "advice"),
    "may turned into must": (
        "Two visitors per patient must be in a ward at the same time [1].",
        VISITING,
        "modality",
    ),
    "invented 'any time'": ("Visitors can come to the ward at any time [1].", VISITING, "advice"),
    "claim the passage does not make": (
        "Drinking coconut water every morning prevents dengue [1].",
        DENGUE_CARE,
        "advice",
    ),
}


@pytest.mark.parametrize(("answer", "passage", "kind"), PLANTED_ERRORS.values(), ids=PLANTED_ERRORS)
def test_a_planted_error_is_caught(answer: str, passage: str, kind: str) -> None:
    verdict = check(answer, passage)
    assert kind in verdict.kinds, verdict.problems


def test_the_wrong_hour_is_the_only_problem_found() -> None:
    verdict = check("The OPD opens at 10:00 am from Monday to Saturday [1].", OPD_HOURS)
    assert verdict.problems == (Problem("number", "'10:00 am' is not in the cited passages"),)


def test_a_fact_must_be_in_a_cited_passage_not_just_a_retrieved_one() -> None:
    answer = "Walk-in patients are welcome at the OPD, which opens at 9:00 am [1]."
    verdict = verify(answer, ["1"], {"1": WALK_IN, "2": OPD_HOURS}, max_chars=LIMIT)
    assert "number" in verdict.kinds


def test_a_verbatim_quote_passes_with_the_retrievers_passage_ids() -> None:
    """The extractive path cites passages by id and quotes them without [n] markers."""
    answer = (
        "A blood test is needed to confirm dengue, "
        "so a doctor should check a fever during the dengue season."
    )
    assert verify(answer, ["dengue#2"], {"dengue#2": DENGUE_SIGNS}, max_chars=LIMIT).ok


def test_citing_a_passage_that_was_not_retrieved_is_refused() -> None:
    answer = "Walk-in patients are welcome at the OPD during registration hours [2]."
    verdict = verify(answer, ["2"], {"1": WALK_IN}, max_chars=LIMIT)
    assert verdict.kinds == ("advice", "citation")


def test_an_answer_without_any_citation_is_refused() -> None:
    answer = "Walk-in patients are welcome at the OPD during registration hours."
    assert "citation" in verify(answer, [], {"1": WALK_IN}, max_chars=LIMIT).kinds


def test_citation_markers_in_the_answer_count_as_citations() -> None:
    answer = "Walk-in patients are welcome at the OPD during registration hours [1]."
    assert verify(answer, [], {"1": WALK_IN}, max_chars=LIMIT).ok


def test_an_over_long_answer_is_refused() -> None:
    answer = "Walk-in patients are welcome at the OPD during registration hours [1]."
    verdict = verify(answer, ["1"], {"1": WALK_IN}, max_chars=len(answer) - 1)
    assert verdict.kinds == ("length",)


@pytest.mark.parametrize("answer", ["", "   \n "])
def test_an_empty_answer_is_refused(answer: str) -> None:
    verdict = verify(answer, ["1"], {"1": WALK_IN}, max_chars=LIMIT)
    assert verdict.kinds == ("empty",)
    assert not verdict.ok


def test_problem_details_are_short_and_kinds_sorted_for_logging() -> None:
    answer = (
        "You have dengue and you must call 0000 000 999 at 10:00 am for nimesulide; "
        + "it is important to remember this carefully " * 3
        + "[4]"
    )
    verdict = verify(answer, [], {"1": DENGUE_CARE}, max_chars=100)
    assert verdict.kinds == tuple(sorted(set(verdict.kinds)))
    assert {"advice", "citation", "length", "medicine", "number", "phone"} <= set(verdict.kinds)
    assert all(len(problem.detail) <= 120 for problem in verdict.problems)


# --- The word lists are data, refused loudly when malformed ------------------------------


def _edited(**lists: object) -> str:
    """verifier.yml with some lists replaced (None: removed), as YAML text."""
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8")) | lists
    return yaml.safe_dump({k: v for k, v in data.items() if v is not None}, allow_unicode=True)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(_edited(negations={"en": "not"}), "negations: Extra inputs", id="extra list"),
        pytest.param(_edited(stop_words=None), "stop_words: Field required", id="missing list"),
        pytest.param(_edited(must={"en": "must e.g."}), "'e.g.' is not a single word", id="word"),
        pytest.param(_edited(diagnoses=["(?:you have"]), "not a regular expression", id="regex"),
        pytest.param(
            _edited(prescriptions=["take <medicine>"]), "unknown placeholder <medicine>",
            id="placeholder",
        ),
        pytest.param(
            _edited(phrases={"have to": "have to"}), "'have to' is not a single word",
            id="phrase that stays two words",
        ),
        pytest.param("negation: [not, no\n", "flow sequence", id="not YAML"),
    ],
)  # fmt: skip
def test_a_malformed_vocabulary_file_is_refused_with_file_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "verifier.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError) as refused:
        load_vocabulary(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert problem in str(refused.value)


# --- Verbatim quotes always pass ---------------------------------------------------------

QUOTED_DOCS = [
    "ops-departments-opd-timings",
    "ops-appointments-policy",
    "paracetamol-safety",
    "dengue",
    "ops-visiting-rules",
    "ops-fees-payment",
    "ops-appointments-policy.hi",
    "ops-departments-opd-timings.hi",
    "dengue.hi",
]
SECTIONS = [lines for doc in QUOTED_DOCS for lines in sections(doc).values()]
PASSAGES = {str(n): " ".join(lines) for n, lines in enumerate(SECTIONS, start=1)}
SENTENCES = [(str(n), line) for n, lines in enumerate(SECTIONS, start=1) for line in lines]


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4, unique=True))
def test_an_answer_of_verbatim_sentences_with_correct_citations_passes(
    quoted: list[tuple[str, str]],
) -> None:
    ids = list(dict.fromkeys(passage_id for passage_id, _ in quoted))
    answer = " ".join(sentence for _, sentence in quoted) + " " + "".join(f"[{i}]" for i in ids)
    verdict = verify(answer, ids, PASSAGES, max_chars=10_000)
    assert verdict.ok, verdict.problems
