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

import re
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
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
        return self.area is not None and self.confidence >= SURE_AT

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


class Vectoriser:
    """Words (and pairs of words) after normalisation, plus character n-grams, as one
    L2-normalised sparse matrix."""

    def __init__(self):
        self.word = TfidfVectorizer(
            analyzer=words_of, sublinear_tf=True, min_df=1, dtype=np.float64
        )
        self.pairs = TfidfVectorizer(
            analyzer=lambda text: _pairs(words_of(text)), sublinear_tf=True, dtype=np.float64
        )
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


def _pairs(words: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(words)]


def _seed_examples(areas: dict[str, str]) -> list[Example]:
    seeds = []
    for name, includes in areas.items():
        for text in (includes, AREA_LEXICON.get(name.lower(), "")):
            if text.strip():
                seeds.append(Example(text=text, area=name, workshop="", key=None))
    return seeds


@dataclass
class Model:
    """A trained engine: call `suggest`."""

    areas: list[str]
    vectoriser: Vectoriser | None = None
    classifier: LogisticRegression | None = None
    calibration: IsotonicRegression | None = None
    examples: list[Example] = field(default_factory=list)
    matrix: object = None
    learnt: int = 0

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
        scores = self._scores(vectors)
        top = scores.max(axis=1)
        confidence = self.calibration.predict(top) if self.calibration is not None else top
        similarity = (vectors @ self.matrix.T).toarray()
        candidates = self._theme_candidates(workshop, themes or {})
        results = []
        for row, text in enumerate(texts):
            order = np.argsort(-scores[row], kind="stable")
            area = self.areas[order[0]]
            neighbours = self._neighbours(similarity[row], limit=3)
            theme = self._theme(similarity[row], candidates)
            results.append(
                Suggestion(
                    area=area,
                    confidence=float(np.clip(confidence[row], 0.0, 1.0)),
                    ranked=[(self.areas[i], float(scores[row, i])) for i in order],
                    theme=theme,
                    words=self._words(text, order[0]),
                    neighbours=[n for n in neighbours if n.similarity >= THEME_SIMILARITY],
                )
            )
        return results

    def theme_profiles(self, texts: list[str]) -> np.ndarray:
        """Pairwise cosine of the notes' closeness to each triaged theme (the nearest few
        only): notes that sit near the same past themes say the same kind of thing."""
        similarity = (self.vectoriser.transform(texts) @ self.matrix.T).toarray()
        keys = sorted({(e.workshop, e.theme) for e in self.examples if e.theme})
        column = {key: index for index, key in enumerate(keys)}
        profiles = np.zeros((len(texts), len(keys)))
        for index, example in enumerate(self.examples):
            if example.theme:
                at = column[(example.workshop, example.theme)]
                profiles[:, at] = np.maximum(profiles[:, at], similarity[:, index])
        if len(keys) > PROFILE_THEMES:
            cut = np.sort(profiles, axis=1)[:, -PROFILE_THEMES][:, None]
            profiles[profiles < cut] = 0.0
        profiles = normalize(profiles)
        return profiles @ profiles.T

    def _scores(self, vectors) -> np.ndarray:
        return _blend(self.classifier, self.matrix, self.examples, self.areas, vectors)

    def _neighbours(self, similarities: np.ndarray, limit: int) -> list[Neighbour]:
        order = np.argsort(-similarities, kind="stable")
        found = []
        for index in order:
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
        return np.array(
            [
                index
                for index, example in enumerate(self.examples)
                if workshop
                and example.workshop == workshop
                and example.theme
                and (not themes or example.theme in themes)
            ],
            dtype=int,
        )

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

    def _words(self, text: str, area_index: int) -> list[str]:
        vector = self.vectoriser.word.transform([text])
        if not vector.nnz:
            return []
        coef = self.classifier.coef_
        row = coef[area_index] if coef.shape[0] > 1 else coef[0] * (1 if area_index else -1)
        width = len(self.vectoriser.word_names())
        contributions = [
            (vector.data[i] * row[j], j) for i, j in enumerate(vector.indices) if j < width
        ]
        contributions.sort(key=lambda pair: (-pair[0], pair[1]))
        names = self.vectoriser.word_names()
        return [str(names[j]) for score, j in contributions[:3] if score > 0]


def _blend(classifier, matrix, examples, areas, vectors) -> np.ndarray:
    """Logistic regression's probabilities blended with the nearest examples' votes."""
    probabilities = np.zeros((vectors.shape[0], len(areas)))
    for column, label in enumerate(classifier.classes_):
        probabilities[:, areas.index(label)] = classifier.predict_proba(vectors)[:, column]
    similarity = (vectors @ matrix.T).toarray()
    votes = np.zeros_like(probabilities)
    labels = np.array([areas.index(example.area) for example in examples])
    for row in range(similarity.shape[0]):
        nearest = np.argsort(-similarity[row], kind="stable")[:NEIGHBOURS]
        for index in nearest:
            votes[row, labels[index]] += max(similarity[row, index], 0.0) ** 2
        total = votes[row].sum()
        votes[row] = votes[row] / total if total else 1.0 / len(areas)
    return 0.6 * probabilities + 0.4 * votes


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
    return Model(
        areas=names,
        vectoriser=vectoriser,
        classifier=classifier,
        calibration=_calibrate(examples, areas),
        examples=everything,
        matrix=matrix,
        learnt=len(examples),
    )


def _calibrate(examples: list[Example], areas: dict[str, str]) -> IsotonicRegression | None:
    """How often the top score is right, learnt by leaving whole workshops out of the training
    notes in turn (as a new workshop is, when its notes arrive). Large services use a few folds
    of workshops rather than every one."""
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
        scores = _blend(classifier, matrix, rest, names, held_vectors)
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


# The service's own notes: what the workbench calls.

_trained: dict = {}

# Learning from the latest triage is enough, and keeps a retrain to about a second however many
# notes the service holds (all 40,000 of a department-sized service take over a minute).
TRAINING_NOTES = 2000
# A retrain that took longer than this is not repeated for every new triage decision: the
# model is at most RETRAIN_AFTER old. Suggestions are only offered, never saved by themselves,
# so a few minutes' lag costs nothing; a cheap retrain (a small service) is done at once.
CHEAP_TRAINING_SECONDS = 0.5
RETRAIN_AFTER_SECONDS = 10 * 60


def service_model(areas) -> Model:
    """The engine trained on the latest TRAINING_NOTES present, triaged notes of the service,
    with `areas` as seeds. `areas` are Area rows read with `with_triage_stamp()`: when their
    counts and latest changes show nothing new since this process last trained, the model is
    reused without a query; otherwise one query reads the notes and the model is trained again,
    at once if training is cheap, else once RETRAIN_AFTER_SECONDS have passed."""
    from workshops.models import Contribution

    seeds = {area.name: area.includes for area in areas}
    stamp = tuple(
        (area.pk, area.name, area.includes, area.triaged_notes, area.last_triage_change)
        for area in areas
    )
    if _trained.get("stamp") == stamp:
        return _trained["model"]
    if (
        _trained
        and _trained["training_seconds"] > CHEAP_TRAINING_SECONDS
        and time.monotonic() - _trained["trained_at"] < RETRAIN_AFTER_SECONDS
    ):
        return _trained["model"]
    examples = []
    if any(area.triaged_notes for area in areas):
        names = {area.pk: area.name for area in areas}
        rows = (
            Contribution.objects.present()
            .filter(area__isnull=False)
            .order_by("-pk")
            .values_list("pk", "text", "area_id", "theme__name", "group__workshop_id")
        )[:TRAINING_NOTES]
        examples = [
            Example(text=text, area=names[area_id], theme=theme or "", workshop=str(ws), key=pk)
            for pk, text, area_id, theme, ws in reversed(rows)
            if area_id in names
        ]
    started = time.monotonic()
    model = train(examples, seeds)
    _trained.clear()
    _trained.update(
        stamp=stamp,
        model=model,
        trained_at=time.monotonic(),
        training_seconds=time.monotonic() - started,
    )
    return model
