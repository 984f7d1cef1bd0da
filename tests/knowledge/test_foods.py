"""A question about eating a named food is answered only by a sentence that names it."""

from __future__ import annotations

import pytest

from bot.knowledge.foods import FoodAsked, answers_food, asked_foods, asks_diet


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("can people with diabetes eat mangoes", FoodAsked("mango")),
        ("शुगर में आम खा सकते हैं?", FoodAsked("mango")),
        ("diabetes me chawal kha sakte hai", FoodAsked("rice")),
        ("मधुमेह में गुड़ खा सकते हैं", FoodAsked("jaggery")),
        ("im allergic to eggs, is the flu jab safe for me", FoodAsked("egg")),
        ("can a diabetic have bananas every day", FoodAsked("banana")),
        ("can i have my morning chai before the test", FoodAsked("tea")),
        # beer is alcohol; Crocin is paracetamol (the glossary)
        ("can i have a beer with ibuprofen", FoodAsked("alcohol", ("ibuprofen",))),
        ("crocin ke saath doodh pi sakte hai", FoodAsked("milk", ("paracetamol",))),
    ],
)
def test_a_food_asked_about_is_recognised(question: str, asked: FoodAsked) -> None:
    assert asked_foods(question) == (asked,)


@pytest.mark.parametrize(
    "question",
    [
        # the food is where it happened, not what is asked about
        "roti banate waqt ungli jal gayi, kya karu",
        "i have burnt my hand on hot tea",
        "garam chai haath pe gir gayi",
        # "आम तौर पर" is "usually", "gud" is SMS "good", "sugar" a diabetic's blood sugar
        "आम तौर पर बुखार कितने दिन रहता है",
        "gud morning, when does the lab open",
        "what sugar level is normal",
    ],
)
def test_a_food_named_outside_a_question_about_eating_is_not_held_to(question: str) -> None:
    assert asked_foods(question) == ()


@pytest.mark.parametrize(
    ("sentence", "asked", "answers"),
    [
        (
            "Some antibiotics, such as metronidazole, must not be taken with alcohol.",
            FoodAsked("alcohol", ("metronidazole",)),
            True,
        ),
        # alcohol and a medicine, but not the one asked about
        (
            "Some antibiotics, such as metronidazole, must not be taken with alcohol.",
            FoodAsked("alcohol", ("ibuprofen",)),
            False,
        ),
        (
            "Tea, coffee and milk taken with meals can make it harder for the body to absorb iron.",
            FoodAsked("tea"),
            True,
        ),
        ("Meat, fish and eggs are good sources of iron.", FoodAsked("chicken"), True),
        (
            "A healthy diet, regular physical activity and a healthy body weight help keep "
            "blood sugar under control.",
            FoodAsked("mango"),
            False,
        ),
    ],
)
def test_a_sentence_answers_a_food_question_only_by_naming_the_food(
    sentence: str, asked: FoodAsked, answers: bool
) -> None:
    assert answers_food(sentence, asked) is answers


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what should a tb patient eat", True),
        ("typhoid me kya khana chahiye", True),
        ("TB ke mareez ko khane me kya dena chahiye", True),
        ("पीलिया में क्या खाना चाहिए?", True),
        # yes/no questions about a food or a medicine ask no diet
        ("sugar patient chawal kha sakta hai kya", False),
        ("paracetamol khali pet kha sakte hai kya", False),
        ("can i eat before a blood test", False),
    ],
)
def test_a_question_about_what_to_eat_is_recognised(question: str, asks: bool) -> None:
    assert asks_diet(question) is asks
