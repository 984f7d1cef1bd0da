"""The facts of a text, normalised so that the same value always reads the same.

A patient acts on the facts of an answer exactly as written: numbers with their unit,
clock times, dates, prices, phone numbers, weekdays and medicine names. They are what a
small model was measured to get wrong, and a wrong one cannot be sent. Comparing them is
only reliable once every spelling of a value is one string ("9 am", "09:00" and
"सुबह ९ बजे" are all '9:00 am'), so this module extracts and normalises them. The
verifier (:mod:`bot.knowledge.verifier`) checks an answer's facts against the passages
it cites; the evaluation counts the facts a reply's documents do not contain.

The patterns here are the grammar of numbers, times, dates and prices rather than
content a hospital edits, so they stay in code; medicine names are data
(``data/knowledge/medicines.yaml``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import yaml

from bot.config import ROOT

MEDICINES_FILE = ROOT / "data" / "knowledge" / "medicines.yaml"

# --- Folding: one spelling for what a patient would read as the same thing -------------

_FOLD = str.maketrans(
    {**{chr(0x966 + d): str(d) for d in range(10)}, "\u2013": "-", "\u2014": "-", "\xa0": " "}
    | dict.fromkeys(map(ord, "'\u2019\u2018`\u093c\u200c\u200d"), None)
)
WORD_CHAR = r"a-z0-9\u0900-\u0963\u0970-\u097f"  # a character that continues a word
CITATION = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•#]+)\s+", re.MULTILINE)

_ENGLISH_NUMBERS = "one two three four five six seven eight nine ten eleven twelve"
NUMBER_WORDS = {word: str(n) for n, word in enumerate(_ENGLISH_NUMBERS.split(), start=1)}


def fold(text: str) -> str:
    """Lower case, ASCII digits, no apostrophes and no nukta (फ़ = फ), dashes as '-'."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_FOLD)).lower()


def _prepare(text: str) -> str:
    """Folded text without citation markers and list numbering, which are not facts."""
    return _LIST_MARKER.sub("", CITATION.sub(" ", fold(text)))


def canonical_number(raw: str) -> str:
    """'4,000' → '4000', '2.50' → '2.5', '09' → '9', 'two' → '2'."""
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    whole, _, fraction = raw.replace(",", "").partition(".")
    fraction = fraction.rstrip("0")
    return (whole.lstrip("0") or "0") + (f".{fraction}" if fraction else "")


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
WORD_END = rf"(?![{WORD_CHAR}])"
_QUANTITY = re.compile(
    rf"(?<![\d.,])(?P<num>{_NUM}|(?<![a-z])(?:{'|'.join(NUMBER_WORDS)})(?![a-z]))"
    rf"(?P<ord>st|nd|rd|th)?(?:\s*-?\s*(?P<unit>{'|'.join(_UNITS.values())}){WORD_END})?(?!\d)"
)
_RANGE_JOIN = re.compile(r"\s*(?:-|to|or|and|से|se|या|ya)\s*")
_PRICE = re.compile(
    rf"(?<![a-z])(?:rs|inr|₹|रु)\.?\s*(?P<a>{_NUM})"
    rf"|(?P<b>{_NUM})\s*(?:/-|rupees?{WORD_END}|rs{WORD_END}|inr{WORD_END}|रुपये|रुपए|रुपया"
    rf"|रु{WORD_END}|rupaye)"
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
_WEEKDAY = re.compile(rf"(?<![{WORD_CHAR}])(?:{'|'.join(_WEEKDAYS.values())})s?{WORD_END}")
_DAY_OF = {form: day for day, forms in _WEEKDAYS.items() for form in forms.split("|")}
_FLIP = {"am": "pm", "pm": "am"}

FactKind = Literal["number", "phone", "medicine"]
_Clock = tuple[int, int, str | None, bool]  # hour on a 12-hour clock, minute, am/pm, marked


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact of a text: where it starts, what kind it is and its normalised text."""

    start: int
    kind: FactKind
    text: str


@cache
def medicine_alternation() -> str:
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
    folded = sorted({fold(n.strip()) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in folded)


@cache
def _medicines() -> re.Pattern[str]:
    return re.compile(rf"(?<![{WORD_CHAR}])(?:{medicine_alternation()}){WORD_END}")


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


def find_facts(text: str) -> list[Fact]:
    """Every fact of text with its kind, in order of appearance; repeats are kept.

    Each pass masks what it took from the later ones, so the 25 of a date is not also
    a number and the digits of a phone number are not a quantity.
    """
    text = _prepare(text).replace("twice", "2 times").replace("thrice", "3 times")
    facts: list[Fact] = []
    for finder in (_dates, _times):
        for start, end, canonical in list(finder(text)):
            facts.append(Fact(start, "number", canonical))
            text = _mask(text, start, end)
    for match in list(_PRICE.finditer(text)):
        facts.append(
            Fact(match.start(), "number", f"rs {canonical_number(match['a'] or match['b'])}")
        )
        text = _mask(text, *match.span())
    for match in list(_PHONE.finditer(text)):
        groups = re.findall(r"\d+", match[0])
        if max(map(len, groups)) >= 5 or (len(groups) > 1 and sum(map(len, groups)) >= 7):
            facts.append(Fact(match.start(), "phone", "".join(groups)))
            text = _mask(text, *match.span())
    facts += _quantities(text)
    for match in _WEEKDAY.finditer(text):
        facts.append(Fact(match.start(), "number", _DAY_OF[match[0].removesuffix("s")]))
    for match in _medicines().finditer(text):
        facts.append(Fact(match.start(), "medicine", re.sub(r"[\s-]+", " ", match[0])))
    return sorted(facts, key=lambda fact: fact.start)


def _quantities(text: str) -> list[Fact]:
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
        number = canonical_number(match["num"]) + (match["ord"] or "")
        nearby = text[max(0, match.start() - 20) : match.end() + 20]
        phone = unit is None and len(number) in (3, 4) and _CALL.search(nearby) is not None
        kind: FactKind = "phone" if phone else "number"
        facts.append(Fact(match.start(), kind, f"{number} {unit}" if unit else number))
    return facts


def _range_unit(text: str, run: Sequence[tuple[re.Match[str], str | None]]) -> str | None:
    """The unit ending a range that starts with run[0]: "1 to 2 weeks" → "weeks"."""
    for (before, _), (after, unit) in itertools.pairwise(run):
        if not _RANGE_JOIN.fullmatch(text[before.end() : after.start()]):
            return None
        if unit:
            return unit
    return None


# --- The public checks -------------------------------------------------------------------


def extract_facts(text: str) -> list[str]:
    """Checkable facts in text, normalised so that equal values are equal strings.

    Numbers keep the unit that follows them ('500 mg', '2 weeks'; 'two' is '2'), clock
    times read '9:00 am' (or '9:00' when nothing says am or pm), dates '25 december 2026',
    prices 'rs 500', phone numbers their digits ('0000000100'), weekdays their English
    name, and medicine names (data/knowledge/medicines.yaml) their folded spelling.
    Citation markers such as [1] are not facts.
    """
    return list(dict.fromkeys(fact.text for fact in find_facts(text)))


def known_facts(sources: Sequence[str]) -> set[str]:
    """Every fact that occurs in at least one of the sources."""
    return {fact for source in sources for fact in extract_facts(source)}


def unsupported_facts(answer: str, sources: Sequence[str]) -> list[str]:
    """Facts of answer that occur in none of the sources; empty for every reply we send."""
    known = known_facts(sources)
    return [fact for fact in extract_facts(answer) if fact not in known]
