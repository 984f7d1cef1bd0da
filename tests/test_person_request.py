"""A request for a person is recognised by its wording in English, Hinglish and Hindi."""

import pytest

from bot.knowledge.scripted import intent_examples
from bot.person_request import asks_for_a_person

# asking for a number to call is answered with the number, not taken as a request
_NUMBER_ONLY = {
    "is there a helpline number I can call",
    "reception ka number do",
    "हेल्पलाइन नंबर दीजिए",
}


def test_every_training_example_of_a_request_for_a_person_is_recognised() -> None:
    examples = [e for e in intent_examples()["talk_to_human"] if e not in _NUMBER_ONLY]
    assert len(examples) > 30
    assert [e for e in examples if not asks_for_a_person(e)] == []


@pytest.mark.parametrize(
    "text",
    [
        "put me through to the pharmacy",
        "i want to talk to someone about my lab report",
        "can i speak to a counsellor",
        "please connect me to the insurance desk",
        "i want to talk to the staff in hindi",
        "doctor se baat karni hai dengue ke baare me",
    ],
)
def test_requests_for_a_person_are_recognised(text: str) -> None:
    assert asks_for_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "staff marathi bolte hai kya? meri aai ko hindi nahi aati",
        "i am deaf, how will the staff talk with me",
        "is an online consult cheaper than coming in person?",
        "at what temperature is it actually called a fever",
        "क्या स्टाफ मराठी बोलता है?",
        # asking not to be called is an opt-out, not a request
        "please don't call me again",
        "do not phone me",
        "no need to call me",
        "call mat karo",
        "मुझे फोन मत करो",
    ],
)
def test_questions_about_staff_and_refusals_are_not_requests(text: str) -> None:
    assert not asks_for_a_person(text)
