"""Loading and validation of the triage lexicons in ``data/triage/``.

The YAML files hold everything a hospital may want to tune: the rules and their
patterns, negation and history cues, informational-question frames, idioms and
the SMS spellings that are normalised away. This module turns them into
compiled regular expressions once, and fails loudly, naming the file and the
rule or list, on any entry it cannot use: a triage that silently skips a rule
is worse than one that refuses to start.

Patterns and message text go through the same :class:`Folder`, so a lexicon author
writes natural spellings ("bleeding", "saans", "नहीं") and they still match
"bleeeding", "sans" or "नही".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import yaml

Category = Literal["emergency", "crisis"]
Scope = Literal["clause", "sentence", "message"]

DEFAULT_LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "triage"
RULE_FILES = ("crisis.yaml", "emergency.yaml")
CATEGORIES: tuple[Category, ...] = ("crisis", "emergency")
SCOPES: tuple[Scope, ...] = ("clause", "sentence", "message")
LANGUAGES = ("en", "hi", "hinglish")

# Built-in macros: a word, and short runs of any words between two parts of a phrase.
BUILTIN_TERMS = {
    "w": r"\S+",
    "gap": r"(?:\S+ ){0,3}",
    "longgap": r"(?:\S+ ){0,6}",
}  # terms.yaml refines

# Apostrophes vanish ("can't" -> "cant"); nukta, anusvara, candrabindu and joiners are
# dropped because patients type Devanagari with and without them ("नहीं" / "नही").
_FOLD_TABLE = str.maketrans(dict.fromkeys("'\u2019\u2018`\u093c\u0901\u0902\u200c\u200d"))
# Repeated letters collapse ("painnnn" -> "pain", "seene" -> "sene"); in patterns an
# escaped letter ("\\s") is left alone.
_REPEATS = re.compile(r"(?<!\\)([a-z])\1+")
_MACRO = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_UPPER = re.compile(r"(?<!\\)[A-Z]")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the entry."""


class Folder:
    """Puts message text and lexicon patterns into one canonical spelling.

    Text is NFC-normalised and lower-cased, apostrophes and optional Devanagari
    marks are dropped, and runs of a repeated Latin letter collapse to one, except
    in ``keep_double`` words where that would make another word ("soon" -> "son").
    Patterns get the same treatment (without lower-casing), so both sides agree.
    """

    def __init__(self, keep_double: Iterable[str]) -> None:
        words = sorted({w.lower() for w in keep_double}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words)
        self._keep = re.compile(rf"(?<![a-z\\])(?:{alternatives})(?![a-z])") if words else None

    def fold(self, text: str) -> str:
        """Return ``text`` in the canonical form that triage patterns match against."""
        return self._collapse(unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE))

    def fold_pattern(self, pattern: str) -> str:
        """Like :meth:`fold`, without lower-casing (which would turn "\\S" into "\\s")."""
        return self._collapse(unicodedata.normalize("NFC", pattern).translate(_FOLD_TABLE))

    def _collapse(self, text: str) -> str:
        if self._keep is None:
            return _REPEATS.sub(r"\1", text)
        pieces: list[str] = []
        last = 0
        for match in self._keep.finditer(text):
            pieces.append(_REPEATS.sub(r"\1", text[last : match.start()]))
            pieces.append(match.group())
            last = match.end()
        pieces.append(_REPEATS.sub(r"\1", text[last:]))
        return "".join(pieces)


@dataclass(frozen=True, slots=True)
class Pattern:
    """One way a rule can fire: a phrase, or several phrases that must all be present."""

    parts: tuple[re.Pattern[str], ...]
    scope: Scope  # where all parts must be found together
    unless: re.Pattern[str] | None  # found near a match, it suppresses the match
    unless_scope: Scope  # where 'unless' is looked for: the match's clause, sentence or message
    source: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A red flag: an id that explains the alert, its category and its patterns."""

    id: str
    category: Category
    description: str
    patterns: tuple[Pattern, ...]


class Speller:
    """Corrects a token one typo away from a known medical word ("siezure" -> "seizure")."""

    def __init__(self, words: Iterable[str], protected: Iterable[str], min_length: int) -> None:
        self._words = frozenset(words)
        self._protected = frozenset(protected)
        self._min_length = min_length
        self._by_delete: dict[str, list[str]] = {}
        for word in sorted(self._words):
            for variant in {word, *_deletes(word)}:
                self._by_delete.setdefault(variant, []).append(word)
        self._cache: dict[str, str] = {}

    def correct(self, token: str) -> str:
        """Return the known word within one edit of ``token``, or ``token`` itself."""
        if (
            len(token) < self._min_length
            or token in self._words
            or token in self._protected
            or not (token.isascii() and token.isalpha())
        ):
            return token
        cached = self._cache.get(token)
        if cached is None:
            cached = self._lookup(token)
            if len(self._cache) > 20_000:  # bounded; patients rarely repeat typos
                self._cache.clear()
            self._cache[token] = cached
        return cached

    def _lookup(self, token: str) -> str:
        candidates: list[str] = []
        for variant in (token, *_deletes(token)):
            candidates.extend(self._by_delete.get(variant, ()))
        matches = sorted({word for word in candidates if _one_edit_apart(token, word)})
        return matches[0] if matches else token


def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or transposition."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything triage reads from ``data/triage/``, compiled and validated."""

    rules: tuple[Rule, ...]
    negation_before: re.Pattern[str]
    negation_after: re.Pattern[str]
    pseudo_negation: re.Pattern[str]
    scope_breakers: frozenset[str]
    before_window: int
    after_window: int
    history: re.Pattern[str]
    present: re.Pattern[str]
    recurrence: re.Pattern[str]
    question_frames: re.Pattern[str]
    personal_cues: re.Pattern[str]
    idioms: tuple[tuple[str, re.Pattern[str]], ...]
    clause_breaks: frozenset[str]
    substitutions: Mapping[str, tuple[str, ...]]
    speller: Speller
    folder: Folder


class _Compiler:
    """Expands ``{term}`` macros and compiles patterns, reporting errors by file and entry."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder
        self.terms = dict(BUILTIN_TERMS)

    def regex(self, source: str, where: str) -> str:
        expanded = source
        for _ in range(8):  # terms may use other terms; eight levels is plenty
            if not _MACRO.search(expanded):
                break
            expanded = _MACRO.sub(lambda m: self._term(m.group(1), where), expanded)
        else:
            raise LexiconError(f"{where}: terms nest too deeply in {source!r}")
        if _UPPER.search(expanded):
            raise LexiconError(f"{where}: upper-case letters never match (text is lower-cased)")
        return self.folder.fold_pattern(expanded)

    def compile(self, source: str, where: str) -> re.Pattern[str]:
        # Words are separated by single spaces, so a phrase boundary is "no non-space".
        regex = rf"(?<!\S)(?:{self.regex(source, where)})(?!\S)"
        try:
            compiled = re.compile(regex)
        except re.error as err:
            raise LexiconError(f"{where}: invalid pattern {source!r}: {err}") from err
        if compiled.search("") is not None:
            raise LexiconError(f"{where}: pattern {source!r} matches empty text")
        return compiled

    def alternation(self, value: object, where: str) -> re.Pattern[str]:
        items = [value] if isinstance(value, str) else _strings(value, where)
        return self.compile("|".join(self.regex(item, where) for item in items), where)

    def _term(self, name: str, where: str) -> str:
        if name not in self.terms:
            raise LexiconError(f"{where}: unknown term {{{name}}}")
        return self.terms[name]


def _read_yaml(path: Path) -> dict[str, object]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as err:
        raise LexiconError(f"{path}: cannot read: {err}") from err
    except yaml.YAMLError as err:
        raise LexiconError(f"{path}: invalid YAML: {err}") from err
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: expected a mapping at the top level")
    return cast(dict[str, object], data)


def _strings(value: object, where: str) -> list[str]:
    """A list of strings, or a mapping of language -> list of strings, flattened."""
    items: list[object] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if not isinstance(sub, list):
                raise LexiconError(f"{where}.{key}: expected a list")
            items.extend(sub)
    elif isinstance(value, list):
        items = value
    else:
        raise LexiconError(f"{where}: expected a list or a mapping of lists")
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise LexiconError(f"{where}: expected a non-empty list of non-empty strings")
    return cast(list[str], items)


def _positive_int(data: Mapping[str, object], key: str, where: object) -> int:
    value = data.get(key)
    if not isinstance(value, int) or value < 1:
        raise LexiconError(f"{where}: {key} must be a positive integer")
    return value


def _load_terms(compiler: _Compiler, path: Path) -> None:
    for name, value in _read_yaml(path).items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise LexiconError(f"{path}: term name {name!r} must be lower_snake_case")
        compiler.terms[name] = "(?:" + "|".join(_strings(value, f"{path}: term {name}")) + ")"


def _load_pattern(compiler: _Compiler, item: object, where: str) -> Pattern:
    if isinstance(item, str):
        return Pattern((compiler.compile(item, where),), "message", None, "clause", item)
    if not isinstance(item, dict) or len({"match", "all"} & item.keys()) != 1:
        raise LexiconError(f"{where}: a pattern is a string or a mapping with 'match' or 'all'")
    unknown = item.keys() - {"match", "all", "scope", "unless", "unless_scope"}
    if unknown:
        raise LexiconError(f"{where}: unknown keys {sorted(unknown)}")
    sources = _strings([item["match"]] if "match" in item else item["all"], where)
    scope = item.get("scope", "message")
    unless_scope = item.get("unless_scope", "clause")
    if scope not in SCOPES or unless_scope not in SCOPES:
        raise LexiconError(f"{where}: scope and unless_scope must be one of {SCOPES}")
    unless = item.get("unless")
    return Pattern(
        parts=tuple(compiler.compile(source, where) for source in sources),
        scope=cast(Scope, scope),
        unless=None if unless is None else compiler.alternation(unless, f"{where} unless"),
        unless_scope=cast(Scope, unless_scope),
        source=" & ".join(sources),
    )


def _load_rules(compiler: _Compiler, path: Path, seen: set[str]) -> list[Rule]:
    entries = _read_yaml(path).get("rules")
    if not isinstance(entries, list) or not entries:
        raise LexiconError(f"{path}: expected a non-empty 'rules' list")
    rules: list[Rule] = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise LexiconError(f"{path}: rule #{index} is not a mapping")
        rule_id = entry.get("id")
        where = f"{path}: rule {rule_id or f'#{index}'}"
        unknown = entry.keys() - {
            "id",
            "category",
            "description",
            "patterns",
            "unless",
            "unless_scope",
        }
        if unknown:
            raise LexiconError(f"{where}: unknown keys {sorted(unknown)}")
        category = entry.get("category")
        if category not in CATEGORIES:
            raise LexiconError(f"{where}: category must be one of {CATEGORIES}")
        if not isinstance(rule_id, str) or not re.fullmatch(rf"{category}\.[a-z0-9_]+", rule_id):
            raise LexiconError(f"{where}: id must look like '{category}.some_name'")
        if rule_id in seen:
            raise LexiconError(f"{where}: duplicate rule id")
        seen.add(rule_id)
        description = entry.get("description")
        if not isinstance(description, str) or not description.strip():
            raise LexiconError(f"{where}: a description is required")
        by_language = entry.get("patterns")
        if not isinstance(by_language, dict) or not by_language:
            raise LexiconError(f"{where}: 'patterns' must map languages to lists")
        patterns: list[Pattern] = []
        for language, items in by_language.items():
            if language not in LANGUAGES or not isinstance(items, list) or not items:
                raise LexiconError(f"{where}: patterns.{language} must be a non-empty list")
            patterns.extend(_load_pattern(compiler, i, f"{where} ({language})") for i in items)
        if "unless" in entry:  # a rule-wide 'unless' joins every pattern's own
            extra = compiler.alternation(entry["unless"], f"{where} unless")
            scope = entry.get("unless_scope", "clause")
            if scope not in SCOPES:
                raise LexiconError(f"{where}: unless_scope must be one of {SCOPES}")
            patterns = [
                Pattern(p.parts, p.scope, _either(p.unless, extra), scope, p.source)
                for p in patterns
            ]
        rules.append(Rule(rule_id, cast(Category, category), description, tuple(patterns)))
    return rules


def _either(a: re.Pattern[str] | None, b: re.Pattern[str]) -> re.Pattern[str]:
    return b if a is None else re.compile(f"{a.pattern}|{b.pattern}")


def load_lexicon(directory: Path = DEFAULT_LEXICON_DIR) -> Lexicon:
    """Read, validate and compile every triage lexicon file in ``directory``.

    Args:
        directory: The folder holding the YAML files (``data/triage/`` by default).

    Returns:
        The compiled lexicon.

    Raises:
        LexiconError: A file is missing or an entry is invalid; the message names
            the file and the rule or list at fault.
    """
    norm_path = directory / "normalise.yaml"
    norm = _read_yaml(norm_path)
    folder = Folder(_strings(norm.get("keep_double"), f"{norm_path}: keep_double"))
    compiler = _Compiler(folder)
    _load_terms(compiler, directory / "terms.yaml")
    seen: set[str] = set()
    rules = [rule for name in RULE_FILES for rule in _load_rules(compiler, directory / name, seen)]

    negation_path = directory / "negation.yaml"
    negation = _read_yaml(negation_path)
    context_path = directory / "context.yaml"
    context = _read_yaml(context_path)
    idioms_path = directory / "idioms.yaml"
    idioms = _read_yaml(idioms_path).get("idioms")
    if not isinstance(idioms, dict) or not idioms:
        raise LexiconError(f"{idioms_path}: expected an 'idioms' mapping of id -> phrases")

    def words(data: Mapping[str, object], key: str, path: Path) -> frozenset[str]:
        return frozenset(folder.fold(w) for w in _strings(data.get(key), f"{path}: {key}"))

    raw_subs = norm.get("substitutions")
    if not isinstance(raw_subs, dict):
        raise LexiconError(f"{norm_path}: 'substitutions' must map a word to its replacement")
    substitutions: dict[str, tuple[str, ...]] = {}
    for word, replacement in raw_subs.items():
        if not isinstance(word, str) or not isinstance(replacement, str) or " " in word:
            raise LexiconError(f"{norm_path}: substitution {word!r} must be word: replacement")
        substitutions[folder.fold(word)] = tuple(folder.fold(replacement).split())
    speller = norm.get("speller")
    if not isinstance(speller, dict):
        raise LexiconError(f"{norm_path}: 'speller' must be a mapping")
    return Lexicon(
        rules=tuple(rules),
        negation_before=compiler.alternation(negation.get("before"), f"{negation_path}: before"),
        negation_after=compiler.alternation(negation.get("after"), f"{negation_path}: after"),
        pseudo_negation=compiler.alternation(negation.get("pseudo"), f"{negation_path}: pseudo"),
        scope_breakers=words(negation, "scope_breakers", negation_path),
        before_window=_positive_int(negation, "before_window", negation_path),
        after_window=_positive_int(negation, "after_window", negation_path),
        history=compiler.alternation(context.get("history"), f"{context_path}: history"),
        present=compiler.alternation(context.get("present"), f"{context_path}: present"),
        recurrence=compiler.alternation(context.get("recurrence"), f"{context_path}: recurrence"),
        question_frames=compiler.alternation(
            context.get("question_frames"), f"{context_path}: question_frames"
        ),
        personal_cues=compiler.alternation(context.get("personal"), f"{context_path}: personal"),
        idioms=tuple(
            (str(key), compiler.alternation(value, f"{idioms_path}: idiom {key}"))
            for key, value in idioms.items()
        ),
        clause_breaks=words(norm, "clause_breaks", norm_path),
        substitutions=substitutions,
        speller=Speller(
            words(speller, "words", norm_path),
            words(speller, "protected", norm_path),
            _positive_int(speller, "min_length", norm_path),
        ),
        folder=folder,
    )
