"""A question that asks for an amount is answered only by a sentence that gives one."""

from __future__ import annotations

import pytest

from bot.knowledge.amounts import PRICE, TIME, AmountAsked, asked_amount, gives_amount


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("how many hours can made-up ORS be kept", "hour"),
        ("in how many more days will my biopsy report come", "day"),
        ("ORS ka ghol kitne ghante tak chalta hai", "hour"),
        ("inhaler khulne ke baad kitne mahine chalta hai", "month"),
        ("बच्चे को खसरे का पहला टीका कितने महीने पर लगता है?", "month"),
        ("how many ultrasound scans are done in a pregnancy", None),
        ("what hba1c level should a diabetic aim for", None),
        ("kitne log mil sakte hain", None),
        ("शुगर के मरीज़ को पैर कितनी बार देखने चाहिए?", None),
    ],
)
def test_the_amount_a_question_asks_for_is_recognised(question: str, unit: str | None) -> None:
    assert asked_amount(question) == AmountAsked(unit)


@pytest.mark.parametrize(
    "question",
    [
        "can i eat rice with diabetes",
        "report kab tak milegi",
        # the vetted answer is "it depends on weight, ask the doctor"
        "what dose of paracetamol can my child have",
    ],
)
def test_questions_that_ask_no_amount_are_not_held_to_one(question: str) -> None:
    assert asked_amount(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "how long does a cold last",
        "dolo ke baad asar hone me kitna time lagta hai",
        "घोल के रखा ओआरएस कितनी देर तक पिला सकते हैं?",
    ],
)
def test_how_long_prefers_a_length_of_time_without_requiring_one(question: str) -> None:
    # answered in words about as often ("the full course", "until the fever goes")
    asked = asked_amount(question)
    assert asked == AmountAsked(TIME, required=False)
    assert gives_amount("ORS should be thrown away after 24 hours.", asked)
    assert gives_amount("Scrub hands for at least 20 seconds.", asked)
    assert not gives_amount("The full course must be finished.", asked)


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        ("Prepared ORS should be thrown away after 24 hours.", AmountAsked("hour")),
        ("बने हुए ओआरएस को 24 घंटे बाद फेंक देना चाहिए।", AmountAsked("hour")),
        ("Feet should be checked every day for cuts.", AmountAsked()),
        ("Two visitors per patient may be in a ward at the same time.", AmountAsked()),
        ("Registration for a first visit is free.", AmountAsked()),
        ("The TB course lasts six months.", AmountAsked("month")),
        ("Crocin can take up to an hour to work.", AmountAsked("hour")),
        # seconds and minutes are mixed up: "how many minutes should i scrub my hands"
        ("Hands should be scrubbed for at least 20 seconds.", AmountAsked("minute")),
    ],
)
def test_sentences_that_give_the_amount_count(sentence: str, asked: AmountAsked) -> None:
    assert gives_amount(sentence, asked)


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        # minutes do not answer "how many days"
        ("Hold a burn under cool running water for 20 minutes.", AmountAsked("day")),
        ("Give one spoonful every 1 to 2 minutes.", AmountAsked("hour")),
        # "every floor" is a place, not how often
        ("Accessible toilets are available on every floor.", AmountAsked()),
        ("Ultrasound scans check how the baby is growing.", AmountAsked()),
        ("The same day is best.", AmountAsked("day")),
        # numbers that are names, and phone numbers, are no amounts
        ("Type 2 diabetes is the most common type of diabetes.", AmountAsked()),
        ("Diabetes is diagnosed with an HbA1c test.", AmountAsked()),
        ("For an emergency, call 112 or 108.", AmountAsked()),
    ],
)
def test_sentences_that_do_not_give_the_amount_do_not_count(
    sentence: str, asked: AmountAsked
) -> None:
    assert not gives_amount(sentence, asked)


@pytest.mark.parametrize(
    "question",
    [
        "how much does an MRI cost at your hospital",
        "what is the price of the senior citizen checkup",
        "consultation fees kitni hai",
        "normal delivery ka package kitne ka hai",
        "आईसीयू में एक दिन का कितना खर्च आता है?",
    ],
)
def test_a_price_asked_for_is_recognised(question: str) -> None:
    assert asked_amount(question) == AmountAsked(PRICE)


@pytest.mark.parametrize(
    ("sentence", "gives"),
    [
        ("The Basic Health Check-up costs Rs 1,200.", True),
        ("सनराइज़ कम्युनिटी हॉस्पिटल में ओपीडी परामर्श शुल्क 500 रुपये है।", True),
        ("Every patient receives a free copy of the discharge summary.", True),
        # a number that is no price
        ("ICU visiting time is 5:00 pm to 5:30 pm.", False),
    ],
)
def test_a_price_is_given_in_rupees_or_as_free(sentence: str, gives: bool) -> None:
    assert gives_amount(sentence, AmountAsked(PRICE)) is gives
