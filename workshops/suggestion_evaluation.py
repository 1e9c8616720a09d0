"""Scoring the suggestion engine on labelled workshops, leaving each workshop out in turn: it is
trained on the others and scored on the one left out, as a new workshop would be. Reads the
labelled JSON format of issue 16 and touches no database."""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from dataclasses import dataclass
from itertools import combinations

from workshops.suggestions import (
    DEFAULT_AREAS,
    Example,
    ThemeText,
    group_repeats,
    rank_recurring,
    train,
)

KINDS = {"comment", "positive", "negative", "question", "idea"}


class LabelledFileError(ValueError):
    """A labelled file that cannot be read, with the line where the trouble is."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class _Located(dict):
    """A JSON object that remembers the line it starts on."""

    line = 1


def _decoder(source: str) -> json.JSONDecoder:
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        start = s_and_end[1]
        pairs, end = json.decoder.JSONObject(
            s_and_end, strict, scan_once, None, list, memo if memo is not None else {}
        )
        located = _Located(pairs)
        located.line = source.count("\n", 0, start) + 1
        return located, end

    decoder.parse_object = parse_object
    # The C scanner ignores parse_object; the Python one calls it.
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder


def _require(obj, key: str, kind, where: str, parent_line: int):
    line = getattr(obj, "line", parent_line)
    if not isinstance(obj, dict):
        raise LabelledFileError(parent_line, f"{where} must be an object")
    if key not in obj:
        raise LabelledFileError(line, f"{where} has no {key!r}")
    value = obj[key]
    if not isinstance(value, kind):
        name = "a list" if kind is list else "text" if kind is str else kind.__name__
        raise LabelledFileError(line, f"{where}: {key!r} must be {name}")
    return value


def parse_labelled(source: str) -> dict:
    """The labelled workshops in `source`, checked; LabelledFileError says where and why not."""
    try:
        data = _decoder(source).decode(source)
    except json.JSONDecodeError as error:
        raise LabelledFileError(error.lineno, f"not valid JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise LabelledFileError(1, "the file must hold one object with 'workshops'")
    workshops = _require(data, "workshops", list, "the file", 1)
    if not workshops:
        raise LabelledFileError(data.line, "'workshops' is empty")
    titles = {}
    for w_index, workshop in enumerate(workshops, start=1):
        where = f"workshop {w_index}"
        title = _require(workshop, "title", str, where, data.line)
        if not title.strip():
            raise LabelledFileError(workshop.line, f"{where} has an empty title")
        if title in titles:
            raise LabelledFileError(workshop.line, f"{where}: title {title!r} is used twice")
        groups = {
            _require(group, "subject", str, f"{where} group", workshop.line)
            for group in _require(workshop, "groups", list, where, workshop.line)
        }
        themes = set()
        for n_index, note in enumerate(_require(workshop, "notes", list, where, workshop.line), 1):
            note_where = f"{where} note {n_index}"
            text = _require(note, "text", str, note_where, workshop.line)
            if not text.strip():
                raise LabelledFileError(note.line, f"{note_where} has empty text")
            area = _require(note, "area", str, note_where, workshop.line)
            if area not in DEFAULT_AREAS:
                raise LabelledFileError(
                    note.line,
                    f"{note_where}: area {area!r} is not one of {', '.join(DEFAULT_AREAS)}",
                )
            kind = note.get("kind", "comment")
            if kind not in KINDS:
                raise LabelledFileError(note.line, f"{note_where}: kind {kind!r} is unknown")
            group = note.get("group", "")
            if groups and group and group not in groups:
                raise LabelledFileError(note.line, f"{note_where}: no group {group!r}")
            theme = note.get("theme", "")
            if not isinstance(theme, str):
                raise LabelledFileError(note.line, f"{note_where}: 'theme' must be text")
            themes.add(theme)
        titles[title] = themes
    for r_index, recurring in enumerate(data.get("recurring_themes", []), start=1):
        where = f"recurring theme {r_index}"
        _require(recurring, "name", str, where, data.line)
        for link in _require(recurring, "themes", list, where, data.line):
            title = _require(link, "workshop", str, f"{where} link", recurring.line)
            theme = _require(link, "theme", str, f"{where} link", recurring.line)
            if title not in titles:
                raise LabelledFileError(link.line, f"{where}: no workshop {title!r}")
            if theme not in titles[title]:
                raise LabelledFileError(link.line, f"{where}: {title!r} has no theme {theme!r}")
    return data


def read_labelled(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return parse_labelled(handle.read())


@dataclass
class Figures:
    notes: int = 0
    sure: int = 0
    sure_right: int = 0
    top1: int = 0
    top2: int = 0
    repeat_pairs_found: int = 0
    repeat_pairs_right: int = 0
    repeat_pairs_labelled: int = 0
    links: int = 0
    links_top3: int = 0

    def as_dict(self) -> dict:
        def share(part, whole):
            return round(part / whole, 3) if whole else 0.0

        return {
            "notes": self.notes,
            "sure_share": share(self.sure, self.notes),
            "sure_accuracy": share(self.sure_right, self.sure),
            "top1_accuracy": share(self.top1, self.notes),
            "top2_accuracy": share(self.top2, self.notes),
            "repeats_precision": share(self.repeat_pairs_right, self.repeat_pairs_found),
            "repeats_recall": share(self.repeat_pairs_right, self.repeat_pairs_labelled),
            "recurring_links": self.links,
            "recurring_top3": share(self.links_top3, self.links),
        }


def _examples(workshop: dict) -> list[Example]:
    return [
        Example(
            text=note["text"],
            area=note["area"],
            theme=note.get("theme", ""),
            workshop=workshop["title"],
        )
        for note in workshop["notes"]
    ]


def evaluate(data: dict) -> dict:
    """The figures of issue 16 for labelled workshops, each workshop left out in turn."""
    figures = Figures()
    workshops = data["workshops"]
    for held in workshops:
        others = [e for w in workshops if w is not held for e in _examples(w)]
        model = train(others)
        notes = held["notes"]
        for note, suggestion in zip(notes, model.suggest([n["text"] for n in notes]), strict=True):
            figures.notes += 1
            ranked = [area for area, _ in suggestion.ranked]
            figures.top1 += bool(ranked) and ranked[0] == note["area"]
            figures.top2 += note["area"] in ranked[:2]
            if suggestion.sure:
                figures.sure += 1
                figures.sure_right += suggestion.area == note["area"]
        _score_repeats(notes, model, figures)
    _score_recurring(data, figures)
    return figures.as_dict()


def _score_repeats(notes: list[dict], model, figures: Figures) -> None:
    labelled = {
        (a, b)
        for a, b in combinations(range(len(notes)), 2)
        if notes[a].get("theme") and notes[a].get("theme") == notes[b].get("theme")
    }
    found = set()
    for group in group_repeats([note["text"] for note in notes], model):
        found.update(combinations(group, 2))
    figures.repeat_pairs_labelled += len(labelled)
    figures.repeat_pairs_found += len(found)
    figures.repeat_pairs_right += len(found & labelled)


def _score_recurring(data: dict, figures: Figures) -> None:
    """For each labelled link of a workshop's theme to a recurring theme, the candidates are the
    recurring themes as the other workshops' linked themes show them, and every other
    workshop's unlinked theme (each could start a new recurring theme): is the right one among
    the first three?"""
    themes = {}
    for workshop in data["workshops"]:
        for note in workshop["notes"]:
            key = (workshop["title"], note.get("theme", ""))
            _name, notes, areas = themes.setdefault(key, (key[1], [], []))
            notes.append(note["text"])
            areas.append(note["area"])

    def as_text(key, name=None):
        theme_name, notes, areas = themes[key]
        area = max(sorted(set(areas)), key=areas.count)
        return ThemeText(name=name or theme_name, notes=tuple(notes), area=area, key=key)

    linked = {}
    for recurring in data.get("recurring_themes", []):
        for link in recurring["themes"]:
            linked[(link["workshop"], link["theme"])] = recurring["name"]
    for key, recurring_name in sorted(linked.items()):
        title = key[0]
        candidates = []
        for recurring in data.get("recurring_themes", []):
            members = [
                (link["workshop"], link["theme"])
                for link in recurring["themes"]
                if link["workshop"] != title
            ]
            if not members:
                continue
            texts = [as_text(member) for member in members]
            candidates.append(
                ThemeText(
                    name=recurring["name"],
                    notes=tuple(n for t in texts for n in (t.name, *t.notes)),
                    area=texts[0].area,
                    key=("recurring", recurring["name"]),
                )
            )
        if not any(c.key == ("recurring", recurring_name) for c in candidates):
            continue
        candidates += [
            as_text(other)
            for other in sorted(themes)
            if other[0] != title and other not in linked and other[1]
        ]
        ranked = rank_recurring(as_text(key), candidates, limit=3)
        figures.links += 1
        figures.links_top3 += any(c.key == ("recurring", recurring_name) for c, _ in ranked)
