"""Decide whether an abstractive answer may be sent to a patient, by checking its sources.

A small local model that rewrites passages of the knowledge base was measured to flip
negations ("no appointment needed" → "you need an appointment") and to invent hours,
doses, phone numbers and advice. So nothing it writes is trusted: :func:`verify` sends
an answer only when every number, time, date, price, phone number and medicine name in
it occurs in the passages it cites, every sentence is backed by a cited sentence with
the same polarity and strength of obligation, and any diagnosis or prescription is a
quote. The checks are deterministic and strict; a rejected answer costs only style,
because the bot then sends verbatim quotes instead.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import yaml

from bot.config import ROOT

MEDICINES_FILE = ROOT / "data" / "knowledge" / "medicines.yaml"
MIN_OVERLAP = 0.5  # share of an answer sentence's content words its source sentence must hold

ProblemKind = Literal[
    "citation", "number", "phone", "medicine", "negation", "modality", "advice", "length", "empty"
]
Modal = Literal["strong", "weak", "plain"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the answer may not be sent."""

    kind: ProblemKind
    detail: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Everything found wrong with one answer; an empty verdict means it may be sent."""

    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether the answer may be sent: nothing was found wrong with it."""
        return not self.problems

    @property
    def kinds(self) -> tuple[str, ...]:
        """Sorted unique kinds: safe to log, unlike the details, which quote the answer."""
        return tuple(sorted({p.kind for p in self.problems}))


# --- Folding: one spelling for what a patient would read as the same thing -------------

_FOLD = str.maketrans(
    {**{chr(0x966 + d): str(d) for d in range(10)}, "\u2013": "-", "\u2014": "-", "\xa0": " "}
    | dict.fromkeys(map(ord, "'\u2019\u2018`\u093c\u200c\u200d"), None)
)
_LETTER = r"a-z0-9\u0900-\u0963\u0970-\u097f"  # a character that continues a word
_CITATION = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•#]+)\s+", re.MULTILINE)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ENGLISH_NUMBERS = "one two three four five six seven eight nine ten eleven twelve"
_NUMBER_WORDS = {word: str(n) for n, word in enumerate(_ENGLISH_NUMBERS.split(), start=1)}


def _fold(text: str) -> str:
    """Lower case, ASCII digits, no apostrophes and no nukta (फ़ = फ), dashes as '-'."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_FOLD)).lower()


def _prepare(text: str) -> str:
    """Folded text without citation markers and list numbering, which are not facts."""
    return _LIST_MARKER.sub("", _CITATION.sub(" ", _fold(text)))


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Facts: numbers, times, dates, prices, phone numbers, weekdays and medicines -------

_NUM = r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNITS = {  # canonical unit → its spellings; "times a day" must come before "times"
    "mg": "mg|milligrams?|मिलीग्राम",
    "mcg": "mcg|micrograms?",
    "g": "gms?|g|grams?|ग्राम",
    "ml": "ml|millilit(?:re|er)s?|मिली|एमएल",
    "kg": "kgs?|kilograms?|kilos?|किलो",
    "litres": "litres?|liters?|ltrs?|लीटर",
    "%": "%|percent|per cent|प्रतिशत",
    "°c": r"°\s?c|degrees? (?:celsius|c)",
    "°f": r"°\s?f|degrees? (?:fahrenheit|f)",
    "times a day": "times (?:a|per|in a) day|times daily",
    "times": "times|बार|baar",
    "tablets": "tablets?|tabs?|pills?|गोलियां|गोलियाँ|गोली|goliyan|goli",
    "capsules": "capsules?",
    "doses": "doses?|खुराक",
    "minutes": "minutes?|mins?|मिनट",
    "hours": "hours?|hrs?|घंटों|घंटे|घंटा|ghante|ghanta",
    "working days": "working days?",
    "days": "days?|दिनों|दिन|din",
    "weeks": "weeks?|हफ्तों|हफ्ते|हफ्ता|सप्ताह|hafte|hafta",
    "months": "months?|महीनों|महीने|महीना|mahine|mahina",
    "years": "years?|yrs?|साल|वर्ष|saal",
}
_END = rf"(?![{_LETTER}])"
_QUANTITY = re.compile(
    rf"(?<![\d.,])(?P<num>{_NUM}|(?<![a-z])(?:{'|'.join(_NUMBER_WORDS)})(?![a-z]))"
    rf"(?P<ord>st|nd|rd|th)?(?:\s*-?\s*(?P<unit>{'|'.join(_UNITS.values())}){_END})?(?!\d)"
)
_RANGE_JOIN = re.compile(r"\s*(?:-|to|or|and|से|se|या|ya)\s*")
_PRICE = re.compile(
    rf"(?<![a-z])(?:rs|inr|₹|रु)\.?\s*(?P<a>{_NUM})"
    rf"|(?P<b>{_NUM})\s*(?:/-|rupees?{_END}|rs{_END}|inr{_END}|रुपये|रुपए|रुपया|रु{_END}|rupaye)"
)
_PHONE = re.compile(r"(?<![\d.,:])\+?\d+(?:[ -]\d+)*(?![\d.,:]*\d)")
_CALL = re.compile(r"\b(?:call|dial|phone|helpline|ring)\b|कॉल|फोन")
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = _MONTH_NAMES.split()
_MONTH_NUMBER = {name[:3]: number for number, name in enumerate(_MONTHS, start=1)}
_MONTH = "|".join([*_MONTHS, *(m[:3] for m in _MONTHS), "sept"])
_DATE = re.compile(
    r"(?<!\d)(?P<y0>\d{4})-(?P<m0>\d{1,2})-(?P<d0>\d{1,2})(?!\d)"
    r"|(?<![\d.])(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>\d{4}|\d{2})(?!\d)"
    rf"|(?<!\d)(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<n2>{_MONTH})(?![a-z])\.?"
    r"(?:,?\s+(?P<y2>\d{4}))?"
    rf"|(?<![a-z])(?P<n3>{_MONTH})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])"
    r"(?:,?\s+(?P<y3>\d{4}))?"
)
_PERIODS = {"सुबह": "am", "subah": "am", "दोपहर": "pm", "dopahar": "pm", "शाम": "pm",
            "shaam": "pm", "sham": "pm", "रात": "pm", "raat": "pm"}  # fmt: skip


def _clock_pattern(n: int) -> str:
    """One side of a time: an optional Hindi period word, hour, minutes, am/pm or baje."""
    periods = "|".join(_PERIODS)
    return (
        rf"(?:(?P<p{n}>{periods})\s+)?(?P<h{n}>\d{{1,2}})(?:(?P<s{n}>[:.])(?P<m{n}>\d{{2}}))?"
        rf"(?:\s*(?P<x{n}>[ap]\.?\s?m(?![a-z])\.?|noon|midnight|baje|bje|बजे|oclock))?"
    )


_TIME = re.compile(
    rf"(?<![\d.:,]){_clock_pattern(1)}"
    rf"(?:\s*(?:-|to|till|until|से|se)\s*{_clock_pattern(2)})?(?![\d:])"
)
_WEEKDAYS = {
    "monday": "monday|सोमवार|somvar|somwar",
    "tuesday": "tuesday|मंगलवार|mangalvar|mangalwar",
    "wednesday": "wednesday|बुधवार|budhvar|budhwar",
    "thursday": "thursday|गुरुवार|बृहस्पतिवार|guruvar|guruwar",
    "friday": "friday|शुक्रवार|shukravar|shukrawar",
    "saturday": "saturday|शनिवार|shanivar|shaniwar",
    "sunday": "sunday|रविवार|ravivar|raviwar|itwar",
}
_WEEKDAY = re.compile(rf"(?<![{_LETTER}])(?:{'|'.join(_WEEKDAYS.values())})s?{_END}")
_DAY_OF = {form: day for day, forms in _WEEKDAYS.items() for form in forms.split("|")}
_FLIP = {"am": "pm", "pm": "am"}

FactKind = Literal["number", "phone", "medicine"]
_Clock = tuple[int, int, str | None, bool]  # hour on a 12-hour clock, minute, am/pm, marked


@dataclass(frozen=True, slots=True)
class _Fact:
    start: int
    kind: FactKind
    text: str


@cache
def _medicine_names() -> str:
    """The names in data/knowledge/medicines.yaml as a regex alternation; read once."""
    data = yaml.safe_load(MEDICINES_FILE.read_text(encoding="utf-8"))
    names = data.get("medicines") if isinstance(data, dict) else None
    if not isinstance(names, list) or not names:
        raise ValueError(f"{MEDICINES_FILE}: expected a 'medicines:' list of names")
    for number, name in enumerate(names, start=1):
        if not isinstance(name, str) or not name.strip() or name != name.lower():
            raise ValueError(
                f"{MEDICINES_FILE}: entry {number} ({name!r}) is not a lower-case name"
            )
    folded = sorted({_fold(n.strip()) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in folded)


@cache
def _medicines() -> re.Pattern[str]:
    return re.compile(rf"(?<![{_LETTER}])(?:{_medicine_names()}){_END}")


def _number(raw: str) -> str:
    """'4,000' → '4000', '2.50' → '2.5', '09' → '9', 'two' → '2'."""
    if raw in _NUMBER_WORDS:
        return _NUMBER_WORDS[raw]
    whole, _, fraction = raw.replace(",", "").partition(".")
    fraction = fraction.rstrip("0")
    return (whole.lstrip("0") or "0") + (f".{fraction}" if fraction else "")


def _clock(match: re.Match[str], n: int) -> _Clock | None:
    """One side of a time match; None when it cannot be a clock time."""
    raw_hour, marker, period = match[f"h{n}"], match[f"x{n}"], match[f"p{n}"]
    hour, minute = int(raw_hour), int(match[f"m{n}"] or 0)
    meridiem = _PERIODS.get(period or "")
    if marker and marker[0] in "ap":
        meridiem = "am" if marker[0] == "a" else "pm"
        if not 1 <= hour <= 12:
            return None
    elif marker in ("noon", "midnight"):
        meridiem = "pm" if marker == "noon" else "am"
    elif hour > 12 or (hour < 12 and raw_hour.startswith("0")):  # a 24-hour clock
        meridiem = "pm" if 12 < hour < 24 else "am"
    if period in ("रात", "raat") and (hour < 5 or hour == 12):
        meridiem = "am"
    if hour > 24 or minute > 59 or (match[f"s{n}"] == "." and not (marker or period)):
        return None
    marked = bool(marker or period or match[f"s{n}"])
    return hour % 12 or 12, minute, meridiem, marked


def _times(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, '9:00 am') of each clock time; a range shares its am/pm ("9 to 11 am")."""
    for match in _TIME.finditer(text):
        sides = {n: c for n in (1, 2) if match[f"h{n}"] and (c := _clock(match, n))}
        if len(sides) == 2:
            (h1, m1, x1, k1), (h2, m2, x2, k2) = sides[1], sides[2]
            if x1 and not x2:
                x2 = x1 if h2 % 12 >= h1 % 12 else _FLIP[x1]
            elif x2 and not x1:
                x1 = x2 if h1 % 12 <= h2 % 12 else _FLIP[x2]
            if k1 or k2:  # "4 to 10 days" has no marked side: numbers, not times
                sides = {1: (h1, m1, x1, k1 or bool(x1)), 2: (h2, m2, x2, k2 or bool(x2))}
        for n, (hour, minute, meridiem, marked) in sides.items():
            if marked:
                start = match.start(f"p{n}") if match[f"p{n}"] else match.start(f"h{n}")
                end = max(match.end(g) for g in (f"h{n}", f"m{n}", f"x{n}") if match[g])
                yield start, end, f"{hour}:{minute:02d}" + (f" {meridiem}" if meridiem else "")


def _dates(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, '25 december 2026') of each date, written in any of the usual ways."""
    for match in _DATE.finditer(text):
        n = next(i for i in range(4) if match[f"d{i}"])
        name = match["n2"] or match["n3"]
        month = _MONTH_NUMBER[name[:3]] if name else int(match[f"m{n}"])
        day, year = int(match[f"d{n}"]), match[f"y{n}"] or ""
        if not (1 <= month <= 12 and 1 <= day <= 31) or (name == "may" and not year):
            continue  # "12 may visit" is a number and a modal verb
        year = f" 20{year}" if len(year) == 2 else f" {year}" if year else ""
        yield match.start(), match.end(), f"{day} {_MONTHS[month - 1]}{year}"


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + "#" * (end - start) + text[end:]


def _facts(text: str) -> list[_Fact]:
    """Facts in order of appearance; each pass masks what it took from the later passes."""
    text = _prepare(text).replace("twice", "2 times").replace("thrice", "3 times")
    facts: list[_Fact] = []
    for finder in (_dates, _times):
        for start, end, canonical in list(finder(text)):
            facts.append(_Fact(start, "number", canonical))
            text = _mask(text, start, end)
    for match in list(_PRICE.finditer(text)):
        facts.append(_Fact(match.start(), "number", f"rs {_number(match['a'] or match['b'])}"))
        text = _mask(text, *match.span())
    for match in list(_PHONE.finditer(text)):
        groups = re.findall(r"\d+", match[0])
        if max(map(len, groups)) >= 5 or (len(groups) > 1 and sum(map(len, groups)) >= 7):
            facts.append(_Fact(match.start(), "phone", "".join(groups)))
            text = _mask(text, *match.span())
    facts += _quantities(text)
    for match in _WEEKDAY.finditer(text):
        facts.append(_Fact(match.start(), "number", _DAY_OF[match[0].removesuffix("s")]))
    for match in _medicines().finditer(text):
        facts.append(_Fact(match.start(), "medicine", re.sub(r"[\s-]+", " ", match[0])))
    return sorted(facts, key=lambda fact: fact.start)


def _quantities(text: str) -> list[_Fact]:
    """Numbers with their unit; in "1 to 2 weeks" the 1 takes the unit of the 2."""
    found: list[tuple[re.Match[str], str | None]] = []
    for match in _QUANTITY.finditer(text):
        before = text[max(0, match.start() - 6) : match.start()]
        if match["num"] == "one" and re.search(r"\b(?:no|the|any|each|this|that) $", before):
            continue  # "no one", "the one": a pronoun, not a count
        spelled = " ".join((match["unit"] or "").split())
        unit = next((u for u, forms in _UNITS.items() if re.fullmatch(forms, spelled)), None)
        found.append((match, unit))
    facts = []
    for i, (match, unit) in enumerate(found):
        unit = unit or _range_unit(text, found[i:])
        number = _number(match["num"]) + (match["ord"] or "")
        nearby = text[max(0, match.start() - 20) : match.end() + 20]
        phone = unit is None and len(number) in (3, 4) and _CALL.search(nearby) is not None
        kind: FactKind = "phone" if phone else "number"
        facts.append(_Fact(match.start(), kind, f"{number} {unit}" if unit else number))
    return facts


def _range_unit(text: str, run: Sequence[tuple[re.Match[str], str | None]]) -> str | None:
    """The unit ending a range that starts with run[0]: "1 to 2 weeks" → "weeks"."""
    for (before, _), (after, unit) in itertools.pairwise(run):
        if not _RANGE_JOIN.fullmatch(text[before.end() : after.start()]):
            return None
        if unit:
            return unit
    return None


def extract_facts(text: str) -> list[str]:
    """Checkable facts in text, normalised so that equal values are equal strings.

    Numbers keep the unit that follows them ('500 mg', '2 weeks'; 'two' is '2'), clock
    times read '9:00 am' (or '9:00' when nothing says am or pm), dates '25 december 2026',
    prices 'rs 500', phone numbers their digits ('0000000100'), weekdays their English
    name, and medicine names (data/knowledge/medicines.yaml) their folded spelling.
    Citation markers such as [1] are not facts.
    """
    return list(dict.fromkeys(fact.text for fact in _facts(text)))


def unsupported_facts(answer: str, sources: Sequence[str]) -> list[str]:
    """Facts of answer that occur in none of the sources; empty for every reply we send."""
    known = _known_facts(sources)
    return [fact for fact in extract_facts(answer) if fact not in known]


def _known_facts(sources: Sequence[str]) -> set[str]:
    return {fact for source in sources for fact in extract_facts(source)}


def _fact_problems(answer: str, sources: Sequence[str]) -> list[Problem]:
    known = _known_facts(sources)
    missing = {fact.text: fact.kind for fact in _facts(answer) if fact.text not in known}
    return [
        Problem(kind, f"{_clip(text, 40)!r} is not in the cited passages")
        for text, kind in missing.items()
    ]


# --- Sentences: polarity, obligation and unsupported statements ------------------------

_TOKEN = re.compile(rf"[{_LETTER}]+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?।])\s+(?=[^\sa-z])|(?<=।)(?=\S)|\s*[;\n]\s*")
_ABBREVIATION = re.compile(r"(?:^|\W)(?:rs|dr|mr|mrs|ms|no|vs|st|approx|e\.g|i\.e|etc)\.$", re.I)
_PHRASES = {"have to": "haveto", "has to": "haveto", "had to": "haveto", "if needed": "ifneeded",
            "if necessary": "ifneeded", "if required": "ifneeded", "as needed": "ifneeded",
            "jab tak": "jabtak", "जब तक": "जबतक"}  # fmt: skip
_PHRASE = re.compile(rf"(?<![{_LETTER}])(?:{'|'.join(_PHRASES)}){_END}")
_NEGATION = _wordset(
    "not no never dont doesnt didnt isnt arent wasnt werent wont cant cannot couldnt shouldnt"
    " mustnt neednt without avoid avoided avoiding none nor neither nothing nobody"
    " नहीं नही न मत ना बिना nahi nahin nhi mat na bina"
)
_WITHOUT = _wordset("without बिना bina")
_UNLESS = _wordset("unless jabtak जबतक")  # an exception clause, compared on its own
_MUST = _wordset("must mustnt should shouldnt always चाहिए चाहिये chahiye chahie")
_NEED = _wordset(  # negated, these give permission: "an appointment is not needed"
    "need needs needed neednt require required requires haveto mandatory compulsory essential"
    " जरूरी आवश्यक अनिवार्य zaroori zaruri jaroori jaruri"
)
_WEAK = _wordset(
    "may can cant cannot could couldnt might usually generally often sometimes optional"
    " ifneeded सकते सकती सकता सकें सके आमतौर शायद अक्सर sakte sakti sakta shayad aksar"
)
_STOP = _wordset(  # words that carry no claim; quantifiers such as "only" and "all" do
    "a an the is are was were be been being am pm to of in on at for with by from and or but"
    " if so as it its this that these those there their they them you your we our us i me"
    " my he she his her do does did has have had will would shall also just than then into"
    " up out about please here what which who whom when where why how yes while both however"
    " therefore thus rs 0 है हैं था थे थी हो का की के को में से पर और या भी तो यह वह ये"
    " वो इस उस इन उन जो कि लिए तक ही आप आपको आपका आपके अपने हम कर करें करना करके जब तब कोई"
    " कुछ साथ क्या hai hain ka ki ke ko mein me se par aur ya bhi to yeh ye woh wo aap aapko"
    " ap apko kar karein karo ho tak liye jab tab koi kuch"
)
_CUES = _STOP | _NEGATION | _UNLESS | _MUST | _NEED | _WEAK
_OPPOSITES = [  # word pairs whose swap reverses a statement as surely as a "not" does
    ("open opens", "closed close closes shut"),
    ("allowed allow permitted", "forbidden prohibited banned"),
    ("free", "charged paid"),
    ("before", "after"),
    ("more higher increase", "less fewer lower decrease reduce"),
    ("early earlier", "late later"),
    ("same", "different"),
    ("खुली खुला खुलता", "बंद"),
]
_NOT_AFTER = "".join(f"(?<!{w} )" for w in ("if", "when", "whether", "unless", "once", "do"))
_DIAGNOSES = (  # telling the patient what they have; "if you have ..." is not a diagnosis
    r"(?:sounds|looks|seems) like (?:you|your)",
    rf"{_NOT_AFTER}\b(?:you have|youve|you got|you are suffering|youre suffering)\b",
    r"\byou (?:probably|likely|definitely|may|might|could) (?:have|be having|be suffering)\b",
    r"\b(?:you are|youre) (?:probably |likely )?(?:infected|diagnosed|diabetic|anaemic)\b",
    r"(?<!agar )(?<!yadi )\b(?:aapko|apko|tumhe|tumko) (?:shayad )?[a-z]+(?<!na)(?<!ni)(?<!ne)"
    r" (?:hai|hua hai|ho gaya hai|ho sakta hai)\b",  # "aapko jana hai" is an instruction
    r"(?<!अगर )(?<!यदि )(?:आपको|तुम्हें|तुमको) (?:शायद )?\S+(?<!ना)(?<!नी)(?<!ने)"
    r" (?:है|हुआ है|हो गया है|हो सकता है)",
)
_DOSE_NOUN = r"(?:tablets?|tabs?|pills?|capsules?|doses?|spoons?|teaspoons?|drops?|puffs?|mg|ml)"
_PRESCRIPTIONS = (  # <med> stands for any name in medicines.yaml
    rf"\b(?:take|takes|taking|swallow|give|giving) (?:\w+ ){{0,3}}?{_DOSE_NOUN}\b",
    r"\b(?:take|takes|taking|swallow|give|giving|start|try|use|buy) (?:\w+ ){0,2}?<med>\b",
    r"\b(?:increase|decrease|reduce|double|halve|stop|skip|change|adjust|raise|lower)"
    r" (?:your |the |his |her )?(?:dose|dosage|doses|medicines?|medication|tablets?|insulin)\b",
    r"\b(?:stop|start) taking\b",
    r"\b(?:dawai|dawa|davai|dava|goli|tablet|medicine|<med>)"
    r" (?:lo|le lo|lijiye|lijie|lena|khao|kha lo|khaiye|lein)\b",
    r"(?:दवा|दवाई|गोली|गोलियां|टैबलेट|<med>) (?:लें|लो|ले लो|लीजिए|लीजिये|खाएं|खाओ|खा लो|खाइए|लेना)"
    r"(?![\u0900-\u097f])",
)


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    words: tuple[str, ...]
    content: frozenset[str]
    negated: bool
    excepted: bool  # has an "unless"
    modal: Modal


@cache
def _advice() -> re.Pattern[str]:
    medicine = f"(?:{_medicine_names()})"
    patterns = [*_DIAGNOSES, *(p.replace("<med>", medicine) for p in _PRESCRIPTIONS)]
    return re.compile("|".join(patterns))


def _stem(word: str) -> str:
    """A crude English stem: "doses", "dosing" and "dose" agree, as do "babies" and "baby"."""
    if not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


_OPPOSITE_STEMS = [
    (frozenset(map(_stem, a.split())), frozenset(map(_stem, b.split()))) for a, b in _OPPOSITES
]


def _sentence(text: str) -> _Sentence:
    folded = _PHRASE.sub(lambda m: _PHRASES[m[0]], _CITATION.sub(" ", _fold(text)))
    words = tuple(
        _number(w) if w.isdigit() or w in _NUMBER_WORDS else w for w in _TOKEN.findall(folded)
    )
    negations, excepted, waiting = 0, False, False
    for word in words:
        if word in _UNLESS:
            excepted, waiting = True, word != "unless"
        elif word in _NEGATION and waiting:
            waiting = False  # the न of "जब तक ... न करे" belongs to the "unless"
        elif word in _NEGATION:
            negations += 1
    negated, need = negations % 2 == 1, bool(_NEED.intersection(words))
    # "cannot be seen without an appointment" is a requirement, however positive it reads
    required = negations >= 2 and bool(_WITHOUT.intersection(words))
    if _MUST.intersection(words) or (need and not negated) or required:
        modal: Modal = "strong"
    else:
        modal = "weak" if need or _WEAK.intersection(words) else "plain"
    content = frozenset(_stem(w) for w in words if w not in _CUES)
    return _Sentence(text, words, content, negated, excepted, modal)


def _sentences(text: str) -> list[_Sentence]:
    """Split at sentence ends and line breaks, but not after "Rs." or "e.g."."""
    pieces, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        if "\n" not in match[0] and _ABBREVIATION.search(text[start : match.start()]):
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [_sentence(piece) for piece in pieces if _TOKEN.search(_fold(piece))]


def _closest(sentence: _Sentence, cited: Sequence[_Sentence]) -> list[_Sentence]:
    """The cited sentences holding the largest share (if enough) of its content words.

    All sentences tied for the largest share are returned: when they disagree with each
    other, the answer cannot be shown to follow the right one, so each must agree.
    """
    shares = [len(sentence.content & source.content) / len(sentence.content) for source in cited]
    best = max(shares, default=0.0)
    return [s for s, share in zip(cited, shares, strict=True) if share == best >= MIN_OVERLAP]


def _opposite(answer: _Sentence, source: _Sentence) -> bool:
    """Whether the polarity differs: an odd number of negations, an "unless", or antonyms."""
    if (answer.negated, answer.excepted) != (source.negated, source.excepted):
        return True
    pairs = [(one, other) for a, b in _OPPOSITE_STEMS for one, other in ((a, b), (b, a))]
    said, vetted = answer.content, source.content
    return any(one & said and other & vetted and not one & vetted for one, other in pairs)


def _changes_obligation(answer: _Sentence, source: _Sentence) -> bool:
    """Adding an obligation, or softening one into a permission, changes what to do."""
    added = answer.modal == "strong" != source.modal
    return added or (source.modal == "strong" and answer.modal == "weak")


def _made_up(sentence: _Sentence, cited: Sequence[_Sentence]) -> list[Problem]:
    """Diagnosis or prescription the passages do not word themselves, and words they lack."""
    problems = []
    cited_text = f" {' '.join(' '.join(source.words) for source in cited)} "
    for match in _advice().finditer(" ".join(sentence.words)):
        if f" {match[0]} " not in cited_text:
            problems.append(Problem("advice", f"diagnosis or prescription {_clip(match[0])!r}"))
    vocabulary = frozenset().union(*(source.content for source in cited))
    words = {w for w in sentence.words if w not in _CUES and not w.isdigit()}  # digits are facts
    if new := sorted(w for w in words if _stem(w) not in vocabulary):
        detail = f"words not in the cited passages: {', '.join(new)}"
        problems.append(Problem("advice", _clip(detail, 110)))
    return problems


def _misplaced(sentence: _Sentence, closest: Sequence[_Sentence], known: set[str]) -> list[Problem]:
    """Facts of the cited passages that the paraphrased source sentence does not hold.

    A value moved to another statement is as wrong as an invented one: "the consultation
    costs Rs 300" quotes the follow-up fee.
    """
    near = {fact for source in closest for fact in extract_facts(source.text)}
    return [
        Problem(fact.kind, f"{_clip(fact.text, 40)!r} belongs to another cited sentence")
        for fact in _facts(sentence.text)
        if fact.text in known and fact.text not in near
    ]


def _sentence_problems(answer: str, sources: Sequence[str]) -> list[Problem]:
    cited = [sentence for source in sources for sentence in _sentences(source)]
    quotes = {sentence.words for sentence in cited}
    known = _known_facts(sources)
    problems = []
    for sentence in _sentences(answer):
        if sentence.words in quotes or not sentence.content:
            continue  # a verbatim quote says exactly what the vetted text says
        quoted = repr(_clip(sentence.text))
        problems += _made_up(sentence, cited)
        closest = _closest(sentence, cited)
        problems += _misplaced(sentence, closest, known) if closest else []
        if not closest:
            problems.append(Problem("advice", f"no cited sentence supports {quoted}"))
        elif any(_opposite(sentence, source) for source in closest):
            problems.append(Problem("negation", f"{quoted} disagrees in negation with its source"))
        if changed := [s.modal for s in closest if _changes_obligation(sentence, s)]:
            detail = f"{quoted} is {sentence.modal}, its source {changed[0]}"
            problems.append(Problem("modality", detail))
    return problems


# --- The verdict ------------------------------------------------------------------------


def verify(
    answer: str, cited: Sequence[str], retrieved: Mapping[str, str], *, max_chars: int
) -> Verdict:
    """Whether an abstractive answer may be sent to a patient, and every reason it may not.

    Args:
        answer: the model's answer, with citation markers such as [1].
        cited: ids of the passages the answer cites; markers in the answer count too.
        retrieved: passage id → text, for the passages retrieved for this question.
        max_chars: the longest answer the channel may send.
    """
    if not answer.strip():
        return Verdict((Problem("empty", "the answer is blank"),))
    problems: list[Problem] = []
    if len(answer) > max_chars:
        problems.append(Problem("length", f"{len(answer)} characters, the limit is {max_chars}"))
    markers = [n for marker in _CITATION.findall(answer) for n in re.findall(r"\d+", marker)]
    ids = list(dict.fromkeys([*cited, *markers]))
    if not ids:
        problems.append(Problem("citation", "the answer cites no passage"))
    for missing in (i for i in ids if i not in retrieved):
        problems.append(Problem("citation", f"passage [{_clip(missing, 20)}] was not retrieved"))
    sources = [retrieved[i] for i in ids if i in retrieved]
    return Verdict(
        tuple(problems + _fact_problems(answer, sources) + _sentence_problems(answer, sources))
    )
