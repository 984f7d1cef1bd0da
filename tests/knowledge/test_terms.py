"""Words for retrieval: stems, word forms, generic words and the glossary."""

from __future__ import annotations

from collections import defaultdict

import yaml

from bot.knowledge.terms import (
    GLOSSARY_FILE,
    generic_words,
    stem,
    to_english,
    tokens,
    word_forms_match,
    zipf,
)


def test_stems_join_forms_of_one_word() -> None:
    assert stem("consultation") == stem("consult")
    assert stem("photocopies") == stem("photocopy")


def test_a_word_with_a_prefix_or_suffix_added_is_the_same_word() -> None:
    assert word_forms_match("printed", "reprinted")
    assert word_forms_match("recheck", "check")
    assert word_forms_match("consult", "teleconsultation")


def test_short_or_unrelated_words_do_not_match() -> None:
    assert not word_forms_match("min", "minutes")  # too short to tell
    assert not word_forms_match("dental", "medical")


def test_a_folded_plural_is_as_common_as_the_plural() -> None:
    # tokens() folds "ladies" to "ladie", which no word list has; read as an unknown
    # (rare) word it declined "free iron tablets for pregnant ladies"
    assert tokens("pregnant ladies") == ["pregnant", "ladie"]
    assert zipf("ladie") == zipf("ladies")
    assert zipf("qwzx") is None


def test_british_spellings_are_as_common_as_the_american_ones() -> None:
    # the word list is American; "neighbour" and "centre" are everyday words in India
    assert zipf("neighbour") == zipf("neighbor")
    assert zipf("centre") == zipf("center")
    assert zipf("diarrhoea") == zipf("diarrhea")
    assert zipf("organised") == zipf("organized")
    assert zipf("hour") is not None and zipf("hour") != zipf("hor")  # listed as written


def test_medicine_forms_are_generic_words() -> None:
    assert {"tablet", "tablets", "syrup"} <= generic_words()


def test_hindi_and_hinglish_health_words_become_english() -> None:
    assert "magnetic" in to_english("क्या अस्पताल में एमआरआई की सुविधा है")
    assert "kidney stone" in to_english("pathri ke liye kitna paani")
    # everyday verbs too: the answer to "what to wear in the heat" is about clothes worn
    assert to_english("गर्मी में कैसे कपड़े पहनें") == "heat how clothes wear"


def test_phrases_of_several_words_become_english_as_a_whole() -> None:
    assert to_english("is the medical store open at night") == "pharmacy open night"
    assert to_english("bacche ko loose  motion hai") == "children diarrhoea"
    # only whole words: "khali pet" inside a longer word is not the phrase
    assert "fasting" not in to_english("khali petrol")
    # "sugar low" is low blood sugar, not diabetes in general
    assert to_english("शुगर कम होने पर क्या करें").startswith("low blood sugar")
    assert to_english("sugar kam ho jaye to kya kare").startswith("low blood sugar")
    assert to_english("bukhar utar gaya dengue me") == "fever goes away dengue"
    assert to_english("आधे घंटे लेट") == "30 minutes late"
    # packing for a stay is what to bring; an ORS pack stays a pack
    assert to_english("what should i pack for a hospital admission") == "bring hospital admission"
    assert to_english("ORS pack for 1 litre") == "ors pack 1 litre"
    # "not sure which dept": the documents say "unsure which department"
    assert to_english("not sure which dept to go") == "unsure department go"
    # the documents say "photo ID" and "the Sunrise Hospital assistant"
    assert to_english("pehli baar aa rahe hai, ID proof lana hai") == "first time aa photo bring"
    assert to_english("does the chatbot keep my messages") == "assistant keep messages"
    assert to_english("a couple of beers") == "couple alcohol"
    # shots and jabs are vaccines
    assert to_english("missed his 10 week shots") == "missed 10 week vaccine"
    # everyday Hinglish for what the documents name: anaemia, a health check-up
    assert to_english("khoon ki kami ho to kya khaye") == "anaemia what eat"
    assert to_english("full body checkup kitne ka hai") == "health check how much"
    # the documents say two-wheelers
    assert to_english("where do i park my scooty") == "park two wheeler"


def test_brand_names_become_the_generic_names_the_documents_use() -> None:
    assert to_english("can i take brufen in dengue") == "take ibuprofen dengue"
    assert to_english("dolo kitne ghante baad") == "paracetamol how much hours after"


def test_no_glossary_word_is_given_two_meanings() -> None:
    """The table maps each word to one English entry; a word listed under two would
    silently take the last one."""
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    meanings: dict[str, set[str]] = defaultdict(set)
    for english, variants in raw["terms"].items():
        for variant in variants:
            meanings[str(variant).lower()].add(str(english))
    assert {w: m for w, m in meanings.items() if len(m) > 1} == {}
