"""Machine help for triage: a suggested area and theme for an untriaged note, repeats gathered
within a workshop, and recurring themes proposed across workshops.

Everything is learnt on this machine from notes already triaged in the service, with
scikit-learn; nothing is downloaded or sent anywhere, and the same data always gives the same
answers. The engine works on plain values (`Example`, `AreaSeed`), not on models, so the
evaluation can run it without a database and a stronger local model can replace it later behind
the same few functions: `train`, `Model.suggest`, `group_repeats` and `rank_recurring`.

The method, in short:
- text is normalised (lower case, a small maintained lexicon of civil-service synonyms mapped to
  one word each, a light suffix stripper) and turned into TF-IDF over words (and pairs of words)
  and over character n-grams, which forgive typos;
- the area comes from a logistic regression blended with votes of the nearest triaged notes; the
  areas' own "includes" text and a few words per area are seed examples, so a service with
  almost nothing triaged still has something to go on;
- the blended score is calibrated (isotonic, fitted by leaving whole workshops out of the
  training notes), so "sure" means "right about as often as it says"; below `SURE_AT` nothing is
  pre-selected.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from django.core.cache import cache
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

# A suggestion is pre-selected only when its calibrated confidence reaches this.
SURE_AT = 0.7
VERY_SURE_AT = 0.9
# Notes closer than this are repeats: with a trained model (surface and theme profiles), and
# on the surface alone (normalised words and character n-grams) when nothing is triaged yet.
REPEAT_SIMILARITY = 0.3
SURFACE_REPEAT = 0.25
THEME_PROFILE_WEIGHT = 0.3
PROFILE_THEMES = 5
# A theme of the note's own workshop is suggested only when a note of it is at least this close.
THEME_SIMILARITY = 0.3
NEIGHBOURS = 7
# Notes compared with every example at a time: bounds the memory similarities take.
SIMILARITY_ROWS = 500
# A new note is compared with at most this many of the latest triaged notes.
COMPARED_NOTES = 5000
# Calibration needs a few thousand held-out scores, not every note: above this many notes it
# learns from an evenly spread sample, which keeps training on a department's notes quick.
CALIBRATION_NOTES = 4000
NOTHING_TO_LEARN = "Nothing to learn from yet: no notes have been triaged."

# The four areas as the service starts with them; the database's own rows win when present.
DEFAULT_AREAS = {
    "Cultural change": "actions for senior and middle management",
    "Infrastructure": "access to tools, blocked sites, old browsers",
    "Empowerment": "permission, trust, clear guidance",
    "Training": "skills, digital champions, learning",
}

# Words that belong to an area whatever a workshop calls it: domain knowledge, used as seed
# examples beside the areas' "includes" text. Matched on the area's name, case-insensitively.
AREA_LEXICON = {
    "cultural change": (
        "senior leaders management managers culture attitude lead by example champion "
        "directors board risk averse mindset fear change resistance resource priority "
        "leadership buy-in role model"
    ),
    "infrastructure": (
        "blocked firewall sites access tools laptop browser internet explorer network wifi "
        "kit device install software security it department smartphone upgrade"
    ),
    "empowerment": (
        "guidance permission allowed trust rules policy sign-off clearance approval "
        "confidence freedom say what is allowed examples case studies"
    ),
    "training": (
        "training course skills learning digital champions coaching e-learning workshop "
        "teach how to mentor induction"
    ),
}

# A small maintained lexicon of civil-service synonyms: every phrase on the right reads as the
# word on the left. Longer phrases are matched first.
SYNONYMS = {
    "approval": "sign-off sign off signoff signed off clearance cleared clear it approve "
    "approved approvals authorisation authorization authorise authorize go-ahead green light",
    "blocked": "block blocks blocking firewall firewalls filtered filter banned ban "
    "locked down lock down barred restricted access denied can't get on cannot get on "
    "can't access cannot access no access not accessible unblock unblocked whitelist "
    "whitelisted allowlist",
    "guidance": "guidelines guideline guide guides rules rulebook policy policies "
    "handbook instructions dos and don'ts do's and don'ts",
    "management": "manager managers senior leaders senior leadership leaders leadership "
    "bosses boss line manager line managers scs senior civil servants senior staff "
    "directors director heads of department perm sec permanent secretary ministers "
    "middle management",
    "training": "course courses e-learning elearning learning upskill upskilling "
    "workshop workshops masterclass masterclasses lessons taught teaching",
    "permission": "allowed permitted allow permit authorised authorized entitled "
    "are we allowed am i allowed",
    "browser": "ie6 ie 6 ie7 ie8 internet explorer old browser browsers chrome firefox",
    "device": "laptop laptops kit pc pcs desktop smartphone smartphones phone phones "
    "mobile mobiles tablet tablets ipad ipads blackberry hardware",
    "socialmedia": "social media twitter facebook youtube linkedin instagram yammer "
    "tweet tweeting tweets blog blogging blogs flickr",
    "champion": "champions champion network buddies buddy digital champion",
    "trust": "trusted trusting distrust mistrust",
    "time": "capacity bandwidth no time too busy resource resources resourcing",
}

_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def _build_synonym_pattern():
    pairs = []
    for canonical, phrases in SYNONYMS.items():
        # Phrases are separated by two spaces or listed one word at a time; keep multi-word
        # phrases whole by listing them as they read.
        for phrase in _split_phrases(phrases):
            pairs.append((phrase, canonical))
    pairs.sort(key=lambda pair: (-len(pair[0]), pair[0]))
    lookup = dict(pairs)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(phrase) for phrase, _ in pairs) + r")(?![\w-])"
    )
    return pattern, lookup


def _split_phrases(phrases: str) -> list[str]:
    """Multi-word phrases are known from a fixed list of their first words, so the lexicon can
    be written as plain text."""
    words = phrases.split()
    out, i = [], 0
    multi = sorted(_MULTI_WORD, key=len, reverse=True)
    while i < len(words):
        for phrase in multi:
            size = len(phrase.split())
            if words[i : i + size] == phrase.split():
                out.append(phrase)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


_MULTI_WORD = {
    "sign off",
    "signed off",
    "clear it",
    "go-ahead",
    "green light",
    "locked down",
    "lock down",
    "access denied",
    "can't get on",
    "cannot get on",
    "can't access",
    "cannot access",
    "no access",
    "not accessible",
    "dos and don'ts",
    "do's and don'ts",
    "senior leaders",
    "senior leadership",
    "line manager",
    "line managers",
    "senior civil servants",
    "senior staff",
    "heads of department",
    "perm sec",
    "permanent secretary",
    "middle management",
    "are we allowed",
    "am i allowed",
    "ie 6",
    "internet explorer",
    "old browser",
    "social media",
    "digital champion",
    "no time",
    "too busy",
}

_SYNONYM_PATTERN, _SYNONYM_LOOKUP = _build_synonym_pattern()
_AGREEMENT = re.compile(
    r"^\s*(\+\s*1|plus one|agree(d)?( with)?|same( here| as)?|ditto|me too|also|again)\b[\s:,.-]*"
    r"(to|with|that|re|on)?\b",
    re.IGNORECASE,
)
_STOP = frozenset(ENGLISH_STOP_WORDS) - {"not", "no", "nobody", "never", "without"}


def normalise(text: str) -> str:
    """Lower case, plain letters, "+1 to ..." taken off, synonyms read as one word."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("\u2019", "'")
    text = _AGREEMENT.sub(" ", text)
    text = _SYNONYM_PATTERN.sub(lambda match: " " + _SYNONYM_LOOKUP[match.group(1)] + " ", text)
    return " ".join(re.findall(r"[a-z0-9']+", text))


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> list[str]:
    """The words that carry meaning, normalised and stemmed: what the word features see."""
    return [_stem(word) for word in normalise(text).split() if word not in _STOP]


@dataclass(frozen=True)
class Example:
    """One triaged note as the engine sees it."""

    text: str
    area: str
    theme: str = ""
    workshop: str = ""
    key: object = None


@dataclass(frozen=True)
class Neighbour:
    text: str
    area: str
    similarity: float
    key: object = None


@dataclass
class Suggestion:
    """What the engine suggests for one note. `area` is None when there is nothing to go on."""

    area: str | None
    confidence: float
    ranked: list[tuple[str, float]] = field(default_factory=list)
    theme: str = ""
    words: list[str] = field(default_factory=list)
    neighbours: list[Neighbour] = field(default_factory=list)
    message: str = ""

    @property
    def sure(self) -> bool:
        return is_sure(self.area, self.confidence)

    @property
    def label(self) -> str:
        if self.area is None:
            return self.message or NOTHING_TO_LEARN
        if self.confidence >= VERY_SURE_AT:
            how = "very sure"
        elif self.confidence >= SURE_AT:
            how = "fairly sure"
        else:
            how = "not sure"
        return f"{self.area}, {how}"

    @property
    def because(self) -> str:
        if self.neighbours:
            return "Like: " + "; ".join(f"“{n.text}”" for n in self.neighbours[:2])
        if self.words:
            return "Words: " + ", ".join(self.words)
        return ""

    def shown(self) -> ShownSuggestion:
        return ShownSuggestion(self.area, self.confidence, self.theme, self.label, self.because)


class ShownSuggestion(NamedTuple):
    """What a page shows of a suggestion, as the shared cache keeps it: a third of the whole
    suggestion's size, and read back several times faster."""

    area: str | None
    confidence: float
    theme: str
    label: str
    because: str

    @property
    def sure(self) -> bool:
        return is_sure(self.area, self.confidence)


def is_sure(area: str | None, confidence: float) -> bool:
    return area is not None and confidence >= SURE_AT


class Vectoriser:
    """Words (and pairs of words) after normalisation, plus character n-grams, as one
    L2-normalised sparse matrix."""

    def __init__(self):
        self.word = TfidfVectorizer(
            analyzer=words_of, sublinear_tf=True, min_df=1, dtype=np.float64
        )
        self.pairs = TfidfVectorizer(analyzer=word_pairs_of, sublinear_tf=True, dtype=np.float64)
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            preprocessor=normalise,
            sublinear_tf=True,
            min_df=1,
            dtype=np.float64,
        )

    def fit(self, texts: list[str]) -> Vectoriser:
        self.word.fit(texts)
        self.pairs.fit(texts)
        self.chars.fit(texts)
        return self

    def transform(self, texts: list[str]):
        parts = [
            self.word.transform(texts) * 0.6,
            self.pairs.transform(texts) * 0.3,
            self.chars.transform(texts) * 0.75,
        ]
        return normalize(sparse.hstack(parts).tocsr())

    def word_names(self) -> np.ndarray:
        return self.word.get_feature_names_out()


def word_pairs_of(text: str) -> list[str]:
    """Neighbouring pairs of the meaningful words: what the word-pair features see."""
    return [f"{a} {b}" for a, b in pairwise(words_of(text))]


def _seed_examples(areas: dict[str, str]) -> list[Example]:
    seeds = []
    for name, includes in areas.items():
        for text in (includes, AREA_LEXICON.get(name.lower(), "")):
            if text.strip():
                seeds.append(Example(text=text, area=name, workshop="", key=None))
    return seeds


@dataclass
class Model:
    """A trained engine: call `suggest`. Plain values and scikit-learn objects only, so that it
    can be stored (pickled) by the training job and loaded by every server process."""

    areas: list[str]
    vectoriser: Vectoriser | None = None
    classifier: LogisticRegression | None = None
    calibration: IsotonicRegression | None = None
    # The notes compared with a new one (nearest notes, themes, repeats) and their vectors, one
    # column each (the transposed matrix, as every comparison uses it).
    examples: list[Example] = field(default_factory=list)
    matrix_t: object = None
    learnt: int = 0
    # Worked out once when trained, not for every page: each example's area (as its index in
    # `areas`), its theme's column in the theme profiles, and each workshop's themed examples.
    labels: np.ndarray = field(init=False, repr=False)
    word_names: np.ndarray = field(init=False, repr=False)
    theme_columns: np.ndarray = field(init=False, repr=False)
    themed_by_workshop: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.labels = np.array(
            [self.areas.index(e.area) for e in self.examples if e.area in self.areas], dtype=int
        )
        self.word_names = (
            self.vectoriser.word_names() if self.vectoriser is not None else np.array([])
        )
        keys = sorted({(e.workshop, e.theme) for e in self.examples if e.theme})
        column = {key: index for index, key in enumerate(keys)}
        self.theme_columns = np.array(
            [column.get((e.workshop, e.theme), -1) if e.theme else -1 for e in self.examples],
            dtype=int,
        )
        themed = defaultdict(list)
        for index, example in enumerate(self.examples):
            if example.theme and example.workshop:
                themed[example.workshop].append(index)
        self.themed_by_workshop = {key: np.array(value) for key, value in themed.items()}

    def suggest(
        self, texts: list[str], workshop: str = "", themes: dict[str, str] | None = None
    ) -> list[Suggestion]:
        """Suggestions for `texts`, in order; `workshop` names the notes' workshop so its own
        triaged notes can propose a theme, `themes` maps its theme names to their areas."""
        if not texts:
            return []
        with threadpool_limits(limits=1):
            return self._suggest(texts, workshop, themes)

    def _suggest(self, texts, workshop, themes) -> list[Suggestion]:
        if self.classifier is None or not self.learnt:
            return [Suggestion(area=None, confidence=0.0, message=NOTHING_TO_LEARN) for _ in texts]
        vectors = self.vectoriser.transform(texts)
        similarity = (vectors @ self.matrix_t).toarray()
        scores = 0.6 * _probabilities(self.classifier, self.areas, vectors) + 0.4 * _votes(
            similarity, self.labels, self.areas
        )
        top = scores.max(axis=1)
        confidence = self.calibration.predict(top) if self.calibration is not None else top
        nearest = _nearest(similarity, NEIGHBOURS)
        word_vectors = self.vectoriser.word.transform(texts)
        candidates = self._theme_candidates(workshop, themes or {})
        results = []
        for row in range(len(texts)):
            order = np.argsort(-scores[row], kind="stable")
            area = self.areas[order[0]]
            neighbours = self._neighbours(similarity[row], nearest[row], limit=3)
            theme = self._theme(similarity[row], candidates)
            results.append(
                Suggestion(
                    area=area,
                    confidence=float(np.clip(confidence[row], 0.0, 1.0)),
                    ranked=[(self.areas[i], float(scores[row, i])) for i in order],
                    theme=theme,
                    words=self._words(word_vectors[row], order[0]),
                    neighbours=[n for n in neighbours if n.similarity >= THEME_SIMILARITY],
                )
            )
        return results

    def theme_profiles(self, texts: list[str]) -> np.ndarray:
        """Pairwise cosine of the notes' closeness to each triaged theme (the nearest few
        only): notes that sit near the same past themes say the same kind of thing."""
        width = int(self.theme_columns.max()) + 1 if len(self.theme_columns) else 0
        if width == 0:
            return np.zeros((len(texts), len(texts)))
        similarity = (self.vectoriser.transform(texts) @ self.matrix_t).toarray()
        profiles = np.zeros((len(texts), width))
        # Each theme's closest example: examples ordered by theme, the maximum of each run.
        themed = np.flatnonzero(self.theme_columns >= 0)
        order = themed[np.argsort(self.theme_columns[themed], kind="stable")]
        columns = self.theme_columns[order]
        starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
        profiles[:, columns[starts]] = np.maximum.reduceat(similarity[:, order], starts, axis=1)
        if width > PROFILE_THEMES:
            cut = np.partition(profiles, -PROFILE_THEMES, axis=1)[:, -PROFILE_THEMES][:, None]
            profiles[profiles < cut] = 0.0
        profiles = normalize(profiles)
        return profiles @ profiles.T

    def _neighbours(self, similarities, nearest, limit: int) -> list[Neighbour]:
        found = []
        for index in nearest:
            example = self.examples[index]
            if example.key is None and not example.workshop:
                continue
            found.append(
                Neighbour(
                    text=example.text,
                    area=example.area,
                    similarity=float(similarities[index]),
                    key=example.key,
                )
            )
            if len(found) == limit:
                break
        return found

    def _theme_candidates(self, workshop: str, themes: dict[str, str]) -> np.ndarray:
        """Indices of this workshop's triaged notes that are in one of its themes."""
        candidates = self.themed_by_workshop.get(workshop, np.array([], dtype=int))
        if not themes or not len(candidates):
            return candidates
        return np.array([i for i in candidates if self.examples[i].theme in themes], dtype=int)

    def _theme(self, similarities: np.ndarray, candidates: np.ndarray) -> str:
        """The theme of the closest of `candidates`, if it is close enough; ties go to the
        first in the examples' (sorted) order."""
        if not len(candidates):
            return ""
        scores = similarities[candidates]
        best = int(np.argmax(scores))
        if scores[best] < THEME_SIMILARITY:
            return ""
        return self.examples[candidates[best]].theme

    def _words(self, vector, area_index: int) -> list[str]:
        """The note's words (its row of word features) that weighed most for the area."""
        if not vector.nnz:
            return []
        coef = self.classifier.coef_
        row = coef[area_index] if coef.shape[0] > 1 else coef[0] * (1 if area_index else -1)
        contributions = [
            (value * row[j], j) for value, j in zip(vector.data, vector.indices, strict=True)
        ]
        contributions.sort(key=lambda pair: (-pair[0], pair[1]))
        return [str(self.word_names[j]) for score, j in contributions[:3] if score > 0]


def _blend(classifier, matrix_t, labels: np.ndarray, areas: list[str], vectors) -> np.ndarray:
    """Logistic regression's probabilities blended with the nearest examples' votes (`matrix_t`
    is the examples' matrix transposed, `labels` each example's area as its index in `areas`)."""
    # In slices: all held-out notes against tens of thousands of examples at once would be
    # gigabytes of similarities.
    votes = np.vstack(
        [
            _votes((vectors[start : start + SIMILARITY_ROWS] @ matrix_t).toarray(), labels, areas)
            for start in range(0, vectors.shape[0], SIMILARITY_ROWS)
        ]
    )
    return 0.6 * _probabilities(classifier, areas, vectors) + 0.4 * votes


def _probabilities(classifier, areas: list[str], vectors) -> np.ndarray:
    probabilities = np.zeros((vectors.shape[0], len(areas)))
    predicted = classifier.predict_proba(vectors)
    for column, label in enumerate(classifier.classes_):
        probabilities[:, areas.index(label)] = predicted[:, column]
    return probabilities


def _votes(similarity: np.ndarray, labels: np.ndarray, areas: list[str]) -> np.ndarray:
    """Each row's nearest examples' areas, weighted by the square of their similarity."""
    votes = np.zeros((similarity.shape[0], len(areas)))
    nearest = _nearest(similarity, NEIGHBOURS)
    weights = np.maximum(np.take_along_axis(similarity, nearest, axis=1), 0.0) ** 2
    rows = np.broadcast_to(np.arange(similarity.shape[0])[:, None], nearest.shape)
    np.add.at(votes, (rows, labels[nearest]), weights)
    totals = votes.sum(axis=1, keepdims=True)
    return np.divide(votes, totals, out=np.full_like(votes, 1.0 / len(areas)), where=totals > 0)


def _nearest(similarity: np.ndarray, limit: int) -> np.ndarray:
    """For each row, the columns of its `limit` highest values, highest first (ties to the
    lower column), without sorting whole rows."""
    limit = min(limit, similarity.shape[1])
    if limit < similarity.shape[1]:
        chosen = np.argpartition(-similarity, limit - 1, axis=1)[:, :limit]
    else:
        chosen = np.broadcast_to(np.arange(limit), similarity.shape).copy()
    values = np.take_along_axis(similarity, chosen, axis=1)
    order = np.lexsort((chosen, -values))
    return np.take_along_axis(chosen, order, axis=1)


def _fit(examples: list[Example], areas: list[str]):
    texts = [example.text for example in examples]
    vectoriser = Vectoriser().fit(texts)
    matrix = vectoriser.transform(texts)
    labels = [example.area for example in examples]
    classifier = LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced")
    classifier.fit(matrix, labels)
    return vectoriser, classifier, matrix


def train(examples: list[Example], areas: dict[str, str] | None = None) -> Model:
    """Learn from triaged notes (in any order; the result does not depend on it). `areas` maps
    each area's name to its "includes" text; the service's starting four when not given."""
    # One thread: on a busy two-core server, BLAS threads fighting each other made a fit on
    # 150 notes take seconds instead of a tenth of one, and one thread is also reproducible.
    with threadpool_limits(limits=1):
        return _train(examples, areas)


def _train(examples: list[Example], areas: dict[str, str] | None) -> Model:
    areas = dict(DEFAULT_AREAS if areas is None else areas)
    names = list(areas)
    examples = sorted(
        (example for example in examples if example.area in areas),
        key=lambda example: (example.workshop, example.text, example.area, example.theme),
    )
    if not examples or len(names) < 2:
        return Model(areas=names, learnt=0)
    everything = _seed_examples(areas) + examples
    vectoriser, classifier, matrix = _fit(everything, names)
    compared = _compared(everything)
    return Model(
        areas=names,
        vectoriser=vectoriser,
        classifier=classifier,
        calibration=_calibrate(examples, areas),
        examples=[everything[index] for index in compared],
        matrix_t=matrix[compared].T.tocsr(),
        learnt=len(examples),
    )


def _compared(examples: list[Example]) -> list[int]:
    """The examples a new note is compared with: all of them, or for a large service the area
    seeds and the latest COMPARED_NOTES notes (by key, the note's id), which include the
    workshops being triaged now. Comparing is what a page of suggestions spends its time on;
    the classifier still learns from every note."""
    if len(examples) <= COMPARED_NOTES:
        return list(range(len(examples)))
    seeds = [index for index, example in enumerate(examples) if example.key is None]
    notes = [index for index, example in enumerate(examples) if example.key is not None]
    latest = sorted(notes, key=lambda index: (examples[index].key, index))[-COMPARED_NOTES:]
    return sorted(seeds + latest)


def _calibrate(examples: list[Example], areas: dict[str, str]) -> IsotonicRegression | None:
    """How often the top score is right, learnt by leaving whole workshops out of the training
    notes in turn (as a new workshop is, when its notes arrive). Large services use a few folds
    of workshops rather than every one, and an evenly spread sample of their notes."""
    if len(examples) > CALIBRATION_NOTES:
        step = len(examples) / CALIBRATION_NOTES
        examples = [examples[int(index * step)] for index in range(CALIBRATION_NOTES)]
    workshops = sorted({example.workshop for example in examples})
    if len(workshops) < 3:
        return None
    folds = min(len(workshops), 5)
    fold_of = {workshop: index % folds for index, workshop in enumerate(workshops)}
    names = list(areas)
    tops, right = [], []
    for fold in range(folds):
        held = [e for e in examples if fold_of[e.workshop] == fold]
        rest = _seed_examples(areas) + [e for e in examples if fold_of[e.workshop] != fold]
        if not held or len({e.area for e in rest}) < 2:
            continue
        vectoriser, classifier, matrix = _fit(rest, names)
        held_vectors = vectoriser.transform([e.text for e in held])
        labels = np.array([names.index(e.area) for e in rest])
        scores = _blend(classifier, matrix.T.tocsr(), labels, names, held_vectors)
        for row, example in enumerate(held):
            tops.append(scores[row].max())
            right.append(names[int(np.argmax(scores[row]))] == example.area)
    if len(set(right)) < 2:
        return None
    calibration = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    calibration.fit(np.array(tops), np.array(right, dtype=float))
    return calibration


def repeat_similarity(texts: list[str], model: Model | None = None) -> np.ndarray:
    """Pairwise similarity of notes for finding repeats. On the surface: normalised words and
    character n-grams fitted on these notes alone. With a trained model, also how alike the
    notes' nearest triaged themes are, so that "YouTube is blocked" and "can't get on
    Facebook" meet through the themes such notes were put in before."""
    vectoriser = Vectoriser().fit(texts)
    vectors = vectoriser.transform(texts)
    surface = (vectors @ vectors.T).toarray()
    if model is None or not model.learnt:
        return surface
    return (1 - THEME_PROFILE_WEIGHT) * surface + THEME_PROFILE_WEIGHT * model.theme_profiles(texts)


def group_repeats(
    texts: list[str], model: Model | None = None, threshold: float | None = None
) -> list[list[int]]:
    """Groups of two or more notes (by index) that say much the same; conservative: average
    linkage, so a group holds together as a whole rather than through a chain."""
    if len(texts) < 2:
        return []
    if threshold is None:
        threshold = REPEAT_SIMILARITY if model is not None and model.learnt else SURFACE_REPEAT
    with threadpool_limits(limits=1):
        similarity = np.clip(repeat_similarity(texts, model), 0.0, 1.0)
    clustering = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - threshold,
    )
    labels = clustering.fit_predict(1.0 - similarity)
    groups = defaultdict(list)
    for index, label in enumerate(labels):
        groups[label].append(index)
    found = [sorted(members) for members in groups.values() if len(members) > 1]
    return sorted(found, key=lambda members: (-len(members), members[0]))


@dataclass(frozen=True)
class ThemeText:
    """A theme as text: its name and its notes, for comparing themes across workshops."""

    name: str
    notes: tuple[str, ...] = ()
    area: str = ""
    key: object = None


def rank_recurring(
    theme: ThemeText, candidates: list[ThemeText], limit: int = 3
) -> list[tuple[ThemeText, float]]:
    """The candidates (recurring themes, or other workshops' themes) most like `theme`, best
    first: cosine between the mean vectors of name and notes, a little more when the area is
    the same."""
    if not candidates:
        return []
    documents = [theme, *candidates]
    texts = [text for document in documents for text in (document.name, *document.notes)]
    vectoriser = Vectoriser().fit(texts)
    centres = []
    for document in documents:
        vectors = vectoriser.transform([document.name, *document.notes])
        weights = np.array([2.0] + [1.0] * len(document.notes))
        centre = np.asarray(vectors.multiply(weights[:, None]).sum(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        centres.append(centre / norm if norm else centre)
    scored = []
    for index, candidate in enumerate(candidates, start=1):
        score = float(centres[0] @ centres[index])
        if theme.area and candidate.area == theme.area:
            score += 0.05
        scored.append((candidate, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return scored[:limit]


def counts_by_area(examples: list[Example]) -> Counter:
    return Counter(example.area for example in examples)


# The service's own notes: trained in a background job (workshops/tasks.py), stored as a
# SuggestionModel row, and loaded by each server process when a newer one is stored.

PREPARING = "Suggestions are being prepared: they appear once the service has learnt from triage."
# Stored models kept besides the newest, so that a process loading one as the next is stored
# still finds it.
KEEP_MODELS = 2

_loaded: dict = {}


def service_areas() -> dict[str, str]:
    from workshops.models import Area

    return dict(Area.objects.order_by("order", "name").values_list("name", "includes"))


def training_fingerprint() -> str:
    """A digest of what a model learns from: each area's name and text, how many present notes
    it holds and when the latest of them changed. One aggregate query."""
    from workshops.models import Area

    stamp = [
        (area.pk, area.name, area.includes, area.triaged_notes, str(area.last_triage_change))
        for area in Area.objects.with_triage_stamp().order_by("pk")
    ]
    return hashlib.sha256(repr(stamp).encode()).hexdigest()


def service_examples() -> list[Example]:
    """Every present, triaged note of the service, as the engine sees it."""
    from workshops.models import Contribution

    rows = (
        Contribution.objects.present()
        .filter(area__isnull=False)
        .order_by("pk")
        .values_list("pk", "text", "area__name", "theme__name", "group__workshop_id")
    )
    return [
        Example(text=text, area=area, theme=theme or "", workshop=str(workshop), key=pk)
        for pk, text, area, theme, workshop in rows.iterator(chunk_size=5000)
    ]


def service_model_train(*, force: bool = False):
    """Train the engine on every triaged note and store it for every process, unless the newest
    stored model already learnt from the same notes (`force` trains anyway). Returns the stored
    SuggestionModel, or None when nothing had changed. Only the training job calls this."""
    from workshops.models import SuggestionModel

    fingerprint = training_fingerprint()
    newest = SuggestionModel.objects.newest()
    if not force and newest is not None and newest["fingerprint"] == fingerprint:
        return None
    started = time.monotonic()
    model = train(service_examples(), service_areas())
    stored = SuggestionModel.objects.create(
        fingerprint=fingerprint,
        notes=model.learnt,
        training_seconds=round(time.monotonic() - started, 3),
        payload=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
    )
    keep = SuggestionModel.objects.values_list("pk", flat=True)[: KEEP_MODELS + 1]
    SuggestionModel.objects.exclude(pk__in=list(keep)).delete()
    return stored


def service_model() -> tuple[Model | None, str]:
    """The newest stored model and its version, loaded once per process: each call costs one
    small query (the newest model's id and version); loading a newer one, one more. (None, "")
    while no model is stored yet. Never trains: that is the training job's work."""
    from workshops.models import SuggestionModel

    newest = SuggestionModel.objects.newest()
    if newest is None:
        return None, ""
    version = str(newest["version"])
    if _loaded.get("version") != version:
        payload = (
            SuggestionModel.objects.filter(pk=newest["pk"])
            .values_list("payload", flat=True)
            .first()
        )
        if payload is None:  # removed since: a newer one is stored
            return service_model()
        # Only this service writes the payload (service_model_train), so unpickling is safe.
        _loaded.clear()
        _loaded.update(version=version, model=pickle.loads(payload))
    return _loaded["model"], version


# Suggestions and repeats are the same for the same model and notes, so each is worked out once
# per stored model and kept in the shared cache: a page shown again costs one cache read.
CACHE_SECONDS = 24 * 60 * 60


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def suggestions_for(
    model: Model | None,
    version: str,
    notes: list[tuple[int, str]],
    *,
    workshop: str,
    themes: dict[str, object],
) -> dict[int, ShownSuggestion]:
    """What a page shows of the suggestions for (id, text) notes of one workshop from a stored
    model (`service_model`): worked out once per model, note and set of the workshop's themes,
    then read from the cache. Without a model, each says suggestions are being prepared."""
    if model is None:
        preparing = Suggestion(area=None, confidence=0.0, message=PREPARING).shown()
        return {pk: preparing for pk, _ in notes}
    context = _digest(version, workshop, sorted(themes.items()))
    keys = {pk: f"shown-suggestion:{context}:{pk}:{_digest(text)}" for pk, text in notes}
    found = cache.get_many(list(keys.values()))
    missing = [(pk, text) for pk, text in notes if keys[pk] not in found]
    if missing:
        made = model.suggest([text for _, text in missing], workshop=workshop, themes=themes)
        fresh = {
            keys[pk]: suggestion.shown() for (pk, _), suggestion in zip(missing, made, strict=True)
        }
        cache.set_many(fresh, CACHE_SECONDS)
        found |= fresh
    return {pk: found[keys[pk]] for pk, _ in notes}


def repeats_for(model: Model | None, version: str, notes: list[tuple[int, str]]) -> list[list[int]]:
    """Groups of the ids of (id, text) notes that say much the same (`group_repeats` with a
    stored model, on the surface alone without one), worked out once per model and notes."""
    if len(notes) < 2:
        return []
    key = f"repeats:{_digest(version, notes)}"
    groups = cache.get(key)
    if groups is None:
        found = group_repeats([text for _, text in notes], model)
        groups = [[notes[index][0] for index in group] for group in found]
        cache.set(key, groups, CACHE_SECONDS)
    return groups
