"""Hybrid retrieval (BM25 + MiniLM embeddings) and the decision whether to answer at all.

The decision is made here, from scores and words, never by the model:
measured, the local model picks good sentences but never says "none", and
asked yes/no it cannot tell an answering passage from a merely related one
(PLATFORM-NOTES). A question is answered only when

* one of the two best passages reaches the tuned thresholds, both for its fused
  score and for its best sentence's similarity (the first such passage is the
  answering one: a passage that only shares the question's words can rank
  above the one whose sentence answers it), and
* a question about adults is not answered from a page written for newborns or
  children ("बड़ों को पीलिया": newborn jaundice advice is wrong for an adult), and
* the question names nothing specific that the answering document lacks: a
  rare word ("MRI", "dialysis", "thyroid") with no near-synonym in that
  document means the knowledge base is about the topic but not this question.
  Relatives ("my nephew"), SMS contractions and everyday verbs never count, and
* a question that asks for an amount ("how many hours", "kitne din") has a
  candidate sentence that gives one, in the unit asked for, from a document
  that names the question's rare words (bot/knowledge/amounts.py): "how many
  doses of rabies vaccine" is not answered by the doses of the MR vaccine, and
* a question about eating or drinking a named food ("sugar patient chawal kha
  sakta hai") has a candidate sentence that names the food, and the medicine
  if it names one ("alcohol after ibuprofen"), and one that asks what to eat
  ("TB me kya khaye") is answered only from a page that speaks of eating at
  all (bot/knowledge/foods.py), and
* a question that names a hospital facility ("blood bank", "wifi") has a
  candidate sentence that names it (bot/knowledge/facilities.py).

Questions are matched in their own language. English and Hinglish go against
the English documents (Hinglish through the glossary). Hindi is scored through
the glossary against the English documents too (the embedding model reads
only English), and when the best document has a Hindi translation, whose
sentences align one to one, the Hindi sentences are what gets quoted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from langchain_core.documents import Document as LcDocument
from pydantic import BaseModel, ConfigDict

from bot.config import ROOT
from bot.knowledge.amounts import (
    PRICE,
    AmountAsked,
    asked_amount,
    gives_amount,
    price_question_words,
)
from bot.knowledge.embedder import MiniLMEmbedder, Vectors
from bot.knowledge.facilities import asked_facilities, names_facility
from bot.knowledge.foods import FoodAsked, answers_food, asked_foods, asks_diet, eating_words
from bot.knowledge.index import KnowledgeIndex
from bot.knowledge.passages import Passage
from bot.knowledge.terms import (
    adult_words,
    child_words,
    generic_words,
    has_devanagari,
    medicine_names,
    stem,
    to_english,
    tokens,
    word_forms_match,
    zipf,
)
from bot.llm.community import BM25Retriever
from bot.safety.language import hinglish_words

TUNING_FILE = ROOT / "data" / "knowledge" / "retrieval.yml"
Scores = npt.NDArray[np.float64]
# how far down the ranking a document that names the question's rare words is looked for
RESCUE_PASSAGES = 20
WORD_CACHE_SIZE = 4096  # embedded question words kept (a few MB)
# "or" in a question that offers a choice, in English, Hinglish and Hindi
_CHOICE = re.compile(
    r"(?<![\w\u0900-\u097f])(?:or|ya|instead of|vs|versus|या)(?![\w\u0900-\u097f])", re.IGNORECASE
)
# "is 5 seconds enough or more": an amount asked about, not two things to choose from
_MORE_OR_LESS = re.compile(
    r"\s*(?:more|less|longer|shorter|fewer|zyada|jyada|kam|ज़्यादा|ज्यादा|कम)\b", re.IGNORECASE
)


class Tuning(BaseModel):
    """Ranking weights and answer thresholds (data/knowledge/retrieval.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    passages: int = 3
    candidates: int = 8
    bm25_weight: float = 0.35
    bm25_saturation: float = 4.0
    answer_min_score: float = 0.45
    answer_min_sentence: float = 0.40
    term_support_min: float = 0.5
    term_rare_zipf: float = 3.2
    sentence_keyword_weight: float = 0.2
    choice_everyday_zipf: float = 6.0
    price_item_min_idf: float = 3.0


@cache
def load_tuning(path: Path = TUNING_FILE) -> Tuning:
    """The deployment's retrieval tuning."""
    return Tuning.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class ScoredPassage:
    passage: Passage
    score: float  # fused: cosine blended with saturated BM25
    best_sentence: float  # highest cosine of one of its sentences to the question


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may be quoted: where it comes from and how well it matches."""

    passage: Passage
    number: int  # index in passage.sentences
    score: float
    # the aligned English sentence of a Hindi one: the model chooses from the
    # English (Devanagari costs the model's tokenizer over twice the tokens),
    # the patient is quoted the Hindi
    english: str | None = None

    @property
    def text(self) -> str:
        return self.passage.sentences[self.number]


@dataclass(frozen=True, slots=True)
class Retrieval:
    """What retrieval found for one question, and whether that is enough to answer."""

    passages: tuple[ScoredPassage, ...]
    candidates: tuple[Candidate, ...]
    answerable: bool
    # why not answerable: "low_score", "unknown_term:<word>",
    # "unanswered_choice:<word>/<word>", "no_amount:<unit>", "unnamed_food:<food>",
    # "other_population:adult", "no_diet_advice", "unnamed_facility:<name>", "empty"
    reason: str = ""
    # the question as retrieval embedded it (its English words), reused by the router
    query_vector: Vectors | None = field(default=None, compare=False, repr=False)
    # which of ``passages`` answers: the first of the two best that reaches the thresholds
    answering: int = 0

    @property
    def top_score(self) -> float:
        return self.passages[0].score if self.passages else 0.0

    @property
    def answer_sentence(self) -> float:
        """How closely the answering passage's best sentence resembles the question."""
        return self.passages[self.answering].best_sentence if self.passages else 0.0


def _is_term(word: str) -> bool:
    """A word that can name a topic: three characters or more, with a letter ("hba1c"
    yes; "s" of "brother's", "r" and "hw" of SMS spelling, and plain numbers no)."""
    return len(word) >= 3 and any(ch.isalpha() for ch in word)


def _about_adults(query: str) -> bool:
    """Whether a question is about adults, and names no child."""
    words = set(tokens(query))
    return bool(words & adult_words()) and not words & child_words()


def _for_children(passage: Passage) -> bool:
    """Whether a page is written for newborns or children: its title names them, not adults."""
    words = set(tokens(passage.title))
    return bool(words & child_words()) and not words & adult_words()


def _bm25(index: KnowledgeIndex, rows: list[int]) -> BM25Retriever | None:
    documents = [
        LcDocument(page_content=index.passages[i].search_text, metadata={"row": i}) for i in rows
    ]
    return BM25Retriever.from_documents(documents, preprocess_func=tokens) if documents else None


def _bm25_scores(retriever: BM25Retriever, query: str) -> Scores:
    # LangChain's BM25Retriever ranks but hides scores; its rank_bm25 model gives them
    return np.asarray(retriever.vectorizer.get_scores(tokens(query)), dtype=np.float64)


def _saturate(scores: Scores, saturation: float) -> Scores:
    """Map BM25's open-ended scores to 0..1 so they blend with cosine similarity."""
    return scores / (scores + saturation)


class Retriever:
    """Ranks passages and sentences for a question and decides if the KB answers it."""

    def __init__(
        self, index: KnowledgeIndex, embedder: MiniLMEmbedder, tuning: Tuning | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.tuning = tuning or load_tuning()
        self.rows = [i for i, p in enumerate(index.passages) if p.language == "en"]
        self.bm25 = _bm25(index, self.rows)
        # Hindi passages by the row of the English passage they translate
        row_of = {p.id: i for i, p in enumerate(index.passages)}
        self.hindi_rows = [i for i, p in enumerate(index.passages) if p.language == "hi"]
        self.hindi_bm25 = _bm25(index, self.hindi_rows)
        self._english_of = np.array(
            [row_of.get(index.passages[i].id.replace("-hi#", "#"), -1) for i in self.hindi_rows],
            dtype=np.int64,
        )
        owners = np.array([p for p, _ in index.sentence_owner], dtype=np.int64)
        self._sentence_rows = {i: np.flatnonzero(owners == i) for i in range(len(index.passages))}
        self._by_id = {p.id: p for p in index.passages}
        word_row = {w: i for i, w in enumerate(index.vocabulary)}
        self._doc_words: dict[str, set[str]] = {}
        for p in index.passages:
            self._doc_words.setdefault(p.doc_id, set()).update(tokens(p.search_text))
        self._doc_stems = {doc: {stem(w) for w in words} for doc, words in self._doc_words.items()}
        # each sentence's word stems, and how rare each stem is among sentences (IDF)
        self._sentence_stems = [
            frozenset(stem(t) for t in tokens(index.passages[p].sentences[n]))
            for p, n in index.sentence_owner
        ]
        seen = Counter(w for words in self._sentence_stems for w in words)
        total = len(self._sentence_stems)
        self._idf = {w: math.log(1 + total / n) for w, n in seen.items()}
        self._unseen_idf = math.log(1 + total)
        self._word_cache: dict[str, Vectors] = {}
        self._doc_word_rows = {
            doc: np.array(sorted(word_row[w] for w in words if w in word_row), dtype=np.int64)
            for doc, words in self._doc_words.items()
        }

    def search(self, question: str, language: str) -> Retrieval:
        """Retrieve for a question written in ``language`` (en, hi or hinglish)."""
        english = to_english(question)
        if not english.strip():
            return Retrieval((), (), False, "empty")
        hindi = language == "hi" or has_devanagari(question)
        # in Hinglish, words the English dictionary does not know are Hindi, not rare terms
        found = self._rank(
            english,
            unknown_words_are_rare=language == "en",
            hindi=question if hindi else None,
            alternatives=self._alternatives(question),
            amount=asked_amount(question),
            foods=asked_foods(question),
            diet=asks_diet(question),
            facilities=asked_facilities(question),
        )
        return self._in_hindi(found) if hindi else found

    def _rank(
        self,
        query: str,
        *,
        unknown_words_are_rare: bool,
        hindi: str | None,
        alternatives: tuple[str, ...] = (),
        amount: AmountAsked | None = None,
        foods: tuple[FoodAsked, ...] = (),
        diet: bool = False,
        facilities: tuple[str, ...] = (),
    ) -> Retrieval:
        if self.bm25 is None:
            return Retrieval((), (), False, "empty")
        t = self.tuning
        q = self.embedder.embed([query])[0]
        rows = np.array(self.rows)
        cosine = self.index.passage_vectors[rows] @ q
        keywords = _saturate(_bm25_scores(self.bm25, query), t.bm25_saturation)
        if hindi is not None and self.hindi_bm25 is not None:
            # the Hindi words themselves, matched in the Hindi translations, count too
            native = _saturate(_bm25_scores(self.hindi_bm25, hindi), t.bm25_saturation)
            position = {row: k for k, row in enumerate(self.rows)}
            for english_row, score in zip(self._english_of, native, strict=True):
                k = position.get(int(english_row))
                if k is not None:
                    keywords[k] = max(keywords[k], score)
        fused = (1 - t.bm25_weight) * cosine + t.bm25_weight * keywords
        order = [int(k) for k in np.argsort(-fused)]
        sentence_cosine = self.index.sentence_vectors @ q
        found = self._found(order[: t.passages], fused, sentence_cosine, query, q)
        asks = (alternatives, amount, foods, diet, facilities)
        reason = self._reason(found, query, unknown_words_are_rare, *asks)
        if reason.startswith("unknown_term:"):
            # The rare word may be the topic of a document ranked lower: in "who can
            # I see at Sunrise hospital about my anxiety" the hospital's name pulls
            # in the departments page, and anxiety is in the mental-health one.
            # Only documents that name every rare word (and medicine) qualify.
            covering = self._covering(order, query, unknown_words_are_rare)
            if covering:
                rescued = self._found(covering[: t.passages], fused, sentence_cosine, query, q)
                if not self._reason(rescued, query, unknown_words_are_rare, *asks):
                    return replace(rescued, answering=self._answering(rescued))
        answering = self._answering(found)
        return replace(found, answerable=not reason, reason=reason, answering=answering)

    def _strong(self, found: Retrieval) -> list[int]:
        """Which of the two best passages reach both answer thresholds."""
        t = self.tuning
        return [
            i
            for i, p in enumerate(found.passages[:2])
            if p.score >= t.answer_min_score and p.best_sentence >= t.answer_min_sentence
        ]

    def _answering(self, found: Retrieval) -> int:
        return next(iter(self._strong(found)), 0)

    def _found(
        self,
        order: list[int],
        fused: Scores,
        sentence_cosine: Scores,
        query: str,
        q: Vectors,
    ) -> Retrieval:
        """Passages at positions ``order`` of ``self.rows`` and their best sentences,
        answerable until :meth:`_reason` says otherwise."""
        t = self.tuning
        overlap = self._keyword_overlap(query)
        scored: list[ScoredPassage] = []
        candidates: list[Candidate] = []
        for k in order:
            row = self.rows[k]
            passage = self.index.passages[row]
            sims = sentence_cosine[self._sentence_rows[row]]
            scored.append(ScoredPassage(passage, float(fused[k]), float(sims.max())))
            candidates.extend(
                Candidate(
                    passage,
                    n,
                    float(s) + float(fused[k]) + t.sentence_keyword_weight * overlap(int(i)),
                )
                for n, (i, s) in enumerate(zip(self._sentence_rows[row], sims, strict=True))
            )
        candidates.sort(key=lambda c: -c.score)
        return Retrieval(tuple(scored), tuple(candidates[: t.candidates]), True, "", q)

    def _reason(
        self,
        found: Retrieval,
        query: str,
        unknown_words_are_rare: bool,
        alternatives: tuple[str, ...] = (),
        amount: AmountAsked | None = None,
        foods: tuple[FoodAsked, ...] = (),
        diet: bool = False,
        facilities: tuple[str, ...] = (),
    ) -> str:
        """Why ``found`` does not answer the question ("" when it does)."""
        strong = self._strong(found)
        if not strong:
            return "low_score"
        answering = found.passages[strong[0]].passage
        doc = answering.doc_id
        if unknown := self._unknown_term(query, doc, unknown_words_are_rare):
            return f"unknown_term:{unknown}"
        if _about_adults(query) and _for_children(answering):
            return "other_population:adult"
        if alternatives and not any(self._names_or_near(doc, word) for word in alternatives):
            return f"unanswered_choice:{'/'.join(alternatives)}"
        if amount and amount.required:
            giving = [c for c in found.candidates if gives_amount(c.text, amount)]
            if amount.unit == PRICE:
                giving = [c for c in giving if self._names_priced_item(query, c.text)]
            docs = {c.passage.doc_id for c in giving}
            if all(self._unknown_term(query, d, unknown_words_are_rare) for d in docs):
                return f"no_amount:{amount.name}"
        for asked in foods:
            if not any(answers_food(c.text, asked) for c in found.candidates):
                return f"unnamed_food:{asked.food}"
        if diet and self._doc_words.get(doc, set()).isdisjoint(eating_words()):
            return "no_diet_advice"
        for facility in facilities:
            if not any(names_facility(c.text, facility) for c in found.candidates):
                return f"unnamed_facility:{facility}"
        return ""

    def _names_priced_item(self, query: str, sentence: str) -> bool:
        """Whether a sentence that gives a price names what the question asks the price
        of: one of the question's words that few sentences use ("ICU", "delivery"),
        other than the price words themselves."""
        ignored = {stem(w) for w in price_question_words()}
        floor = self.tuning.price_item_min_idf
        item = {
            s
            for s in map(stem, tokens(query))
            if s not in ignored and self._idf.get(s, self._unseen_idf) >= floor
        }
        return not item or not item.isdisjoint(map(stem, tokens(sentence)))

    def _names(self, doc_id: str, word: str) -> bool:
        """Whether the document uses ``word`` in some form ("consult" ~ "consultation")."""
        words = self._doc_words.get(doc_id, set())
        return (
            word in words
            or stem(word) in self._doc_stems.get(doc_id, set())
            or any(word_forms_match(word, w) for w in words)
        )

    def _names_or_near(self, doc_id: str, word: str) -> bool:
        """Whether the document uses ``word`` or a near-synonym of it ("eat" ~ "food")."""
        if self._names(doc_id, word):
            return True
        rows = self._doc_word_rows.get(doc_id)
        if rows is None or not len(rows):
            return False
        support = self._word_vectors([word]) @ self.index.vocabulary_vectors[rows].T
        return bool(support.max() >= self.tuning.term_support_min)

    def _alternatives(self, question: str) -> tuple[str, ...]:
        """The words next to "or" in a question that offers a choice ("bp tablet at
        night or in the morning", "subah ya raat", "नहाना चाहिए या नहीं"): the nearest
        naming word on each side. A document that names neither cannot say which,
        however close it is to the topic. Everyday verbs ("take", "give") do not
        name an alternative."""
        marker = _CHOICE.search(question)
        if marker is None or _MORE_OR_LESS.match(question, marker.end()):
            return ()
        ignored = generic_words() | hinglish_words()

        def naming(text: str) -> list[str]:
            return [
                w
                for w in tokens(to_english(text))
                if _is_term(w)
                and w not in ignored
                and (zipf(w) or 0.0) < self.tuning.choice_everyday_zipf
            ]

        left = naming(question[: marker.start()])[-1:]
        right = naming(question[marker.end() :])[:1]
        return tuple(dict.fromkeys((*left, *right)))

    def _covering(self, order: list[int], query: str, unknown_words_are_rare: bool) -> list[int]:
        """``order`` kept to the passages of documents (among the best ranked) that
        name every rare word and every medicine of the question."""
        medicines = [w for w in tokens(query) if w in medicine_names()]
        verdict: dict[str, bool] = {}
        for k in order[:RESCUE_PASSAGES]:
            doc = self.index.passages[self.rows[k]].doc_id
            if doc not in verdict:
                words = self._doc_words.get(doc, set())
                verdict[doc] = all(m in words for m in medicines) and not self._unknown_term(
                    query, doc, unknown_words_are_rare
                )
        return [k for k in order if verdict.get(self.index.passages[self.rows[k]].doc_id, False)]

    def _keyword_overlap(self, query: str) -> Callable[[int], float]:
        """How much of the question's wording (IDF-weighted stems) a sentence repeats,
        0..1: among sentences that resemble the question alike, the one that names
        its words ("insurance desk … 7:00 pm") is likelier to answer it."""
        stems = list(dict.fromkeys(stem(t) for t in tokens(query)))
        weights = {w: self._idf.get(w, self._unseen_idf) for w in stems}
        total = sum(weights.values()) or 1.0

        def overlap(row: int) -> float:
            words = self._sentence_stems[row]
            return sum(v for w, v in weights.items() if w in words) / total

        return overlap

    def _unknown_term(self, query: str, doc_id: str, unknown_words_are_rare: bool) -> str | None:
        """A rare word of the question with no match or near-synonym in the document."""
        words = self._doc_words.get(doc_id, set())
        ignored = medicine_names() | generic_words() | hinglish_words()

        def is_rare(word: str) -> bool:
            frequency = zipf(word)
            if frequency is None:
                return unknown_words_are_rare
            return frequency < self.tuning.term_rare_zipf

        rare = [
            w
            for w in dict.fromkeys(tokens(query))
            if w not in words
            and _is_term(w)
            and w not in ignored  # medicines are checked by the verifier; "gaya" is Hindi
            and is_rare(w)
            # another form of a word the document uses: "consult" ~ "consultation",
            # "photocopies" ~ "photocopy", "printed" ~ "reprinted"
            and not self._names(doc_id, w)
        ]
        if not rare:
            return None
        rows = self._doc_word_rows.get(doc_id)
        if rows is None or not len(rows):
            return rare[0]
        support = self._word_vectors(rare) @ self.index.vocabulary_vectors[rows].T
        for word, best in zip(rare, support.max(axis=1), strict=True):
            if best < self.tuning.term_support_min:
                return word
        return None

    def _word_vectors(self, words: list[str]) -> Vectors:
        """Embeddings of single words, cached: the rare-word rescue checks the same
        words against up to RESCUE_PASSAGES documents (one embedding call each made
        such questions 130-160 ms instead of 20)."""
        missing = [w for w in dict.fromkeys(words) if w not in self._word_cache]
        if missing:
            if len(self._word_cache) + len(missing) > WORD_CACHE_SIZE:
                self._word_cache.clear()
            self._word_cache.update(zip(missing, self.embedder.embed(missing), strict=True))
        return np.stack([self._word_cache[w] for w in words])

    def _in_hindi(self, found: Retrieval) -> Retrieval:
        """Swap passages and candidates for their aligned Hindi translations, where they exist."""

        def hindi(passage: Passage) -> Passage:
            doc, _, section = passage.id.partition("#")
            translated = self._by_id.get(f"{doc}-hi#{section}")
            if translated is None or len(translated.sentences) != len(passage.sentences):
                return passage
            return translated

        return Retrieval(
            tuple(
                ScoredPassage(hindi(s.passage), s.score, s.best_sentence) for s in found.passages
            ),
            tuple(
                Candidate(translated, c.number, c.score, c.text)
                if (translated := hindi(c.passage)) is not c.passage
                else c
                for c in found.candidates
            ),
            found.answerable,
            found.reason,
            found.query_vector,
            found.answering,
        )
