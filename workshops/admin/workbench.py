"""A workshop's triage workbench: its notes in one readable column, each given an area, a theme
and, if need be, hidden from the public. With JavaScript (static/js/workbench.js) it is worked
from the keyboard and each note saves on its own; without, it is one form of 20 notes.

A page of 50 notes renders hundreds of controls; they are built here as strings from parts
escaped once per page, not through templates, which would cost most of the page's time."""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, FilteredRelation, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from feedback_site.admin_site import changelist_url
from workshops.admin.recurring import proposals_json, theme_recurring_url
from workshops.admin.widgets import RenderedChoices
from workshops.models import NOT_REVIEWED, NOT_TRIAGED, Area, Contribution, Theme, Workshop
from workshops.services import (
    MixedWorkshopsError,
    NothingToUndo,
    WorkbenchError,
    contribution_triage,
    contribution_triage_undo,
    contributions_triage,
    recurring_theme_proposals,
)
from workshops.suggestions import ShownSuggestion, repeats_for, service_model, suggestions_for

PAGE_SIZES = (20, 50)
# Repeats are looked for among the first this many notes to triage: grouping is quadratic.
REPEAT_NOTES = 300
# Groups of repeats offered at a time (the largest first), and notes quoted from each.
REPEAT_GROUPS = 5
REPEAT_QUOTED = 5
SHOW = {"untriaged": "Notes to triage", "all": "All notes"}
MAX_NEW_THEME_LENGTH = Theme._meta.get_field("name").max_length
HIDE_CHOICES = [
    ("", "Show it"),
    *((value, f"Hide: {label.lower()}") for value, label in Contribution.HiddenReason.choices[1:]),
]
HIDE_LABELS = dict(HIDE_CHOICES)
# The bulk form's "leave hiding as it is", distinct from "" (show).
KEEP = "keep"


def workbench_url(workshop: Workshop, **params) -> str:
    url = reverse("admin:workshops_workshop_workbench", args=[workshop.pk])
    params = {key: value for key, value in params.items() if value}
    return f"{url}?{urlencode(params)}" if params else url


@dataclass
class Choice:
    """What the triager chose for one note, as sent (or as the note is, before any choice)."""

    area: str = ""
    theme: str = ""
    new_theme: str = ""
    hidden_reason: str = ""
    # The area the machine suggested (shown with the note, pre-selected only when sure); it
    # is not a choice of the triager's, so it plays no part in comparing choices.
    suggested: str = field(default="", compare=False)

    @classmethod
    def of(
        cls, note: Contribution, suggestion: ShownSuggestion | None = None, bench=None
    ) -> "Choice":
        choice = cls(
            area=str(note.area_id or ""),
            theme=str(note.theme_id or ""),
            hidden_reason=note.hidden_reason if note.hidden_from_public else "",
        )
        if suggestion is None or bench is None or note.area_id:
            return choice
        area = bench.areas_by_name.get(suggestion.area)
        if area is None:
            return choice
        choice.suggested = str(area.pk)
        # Only the area is pre-selected: its confidence is calibrated. The theme is named
        # beside it, for the triager to pick, until a theme's confidence is measured too.
        if suggestion.sure and not choice.area:
            choice.area = str(area.pk)
        return choice

    @classmethod
    def sent(cls, data, pk: int) -> "Choice":
        prefix = f"n{pk}-"
        return cls(
            area=data.get(f"{prefix}area", ""),
            theme=data.get(f"{prefix}theme", ""),
            new_theme=data.get(f"{prefix}new_theme", "").strip(),
            hidden_reason=data.get(f"{prefix}hidden_reason", ""),
            suggested=data.get(f"{prefix}suggested", ""),
        )

    def is_blank(self) -> bool:
        return not (self.area or self.theme or self.new_theme or self.hidden_reason)


@dataclass
class Bench:
    """What every note on the page is chosen from, read once for the page."""

    workshop: Workshop
    areas: list[Area]
    themes: list[Theme]
    groups: dict
    areas_by_pk: dict = field(init=False)
    themes_by_pk: dict = field(init=False)

    def __post_init__(self):
        self.suggested: dict[int, ShownSuggestion] = {}
        self.areas_by_pk = {str(area.pk): area for area in self.areas}
        self.themes_by_pk = {str(theme.pk): theme for theme in self.themes}
        self.areas_by_name = {area.name: area for area in self.areas}
        self.themes_by_name = {theme.name: theme for theme in self.themes}

    @cached_property
    def engine(self):
        """The newest stored suggestion model and its version: one small query, once a page."""
        return service_model()

    def suggestions(self, notes) -> dict[int, ShownSuggestion]:
        """Suggestions for the notes without an area, in one pass over the page."""
        return self.suggestions_of([(note.pk, note.text) for note in notes if not note.area_id])

    def suggestions_of(self, untriaged: list[tuple[int, str]]) -> dict[int, ShownSuggestion]:
        """Suggestions for (id, text) notes, each looked up once for the page."""
        wanted = [(pk, text) for pk, text in untriaged if pk not in self.suggested]
        if wanted:
            self.suggested |= suggestions_for(
                *self.engine,
                wanted,
                workshop=str(self.workshop.pk),
                themes={theme.name: theme.area_id for theme in self.themes},
            )
        return {pk: self.suggested[pk] for pk, _ in untriaged}

    def repeats(
        self, waiting: list[tuple[int, str, int]], shown_notes=()
    ) -> tuple[list["Repeats"], int]:
        """The largest groups of notes to triage (id, text, group id) that say much the same,
        up to REPEAT_GROUPS of them, and how many groups there are in all. The suggestions for
        the notes the page shows are looked up with theirs, in one go."""
        waiting = waiting[:REPEAT_NOTES]
        notes = {pk: (pk, text, group_id) for pk, text, group_id in waiting}
        found = repeats_for(*self.engine, [(pk, text) for pk, text, _ in waiting])
        shown = found[:REPEAT_GROUPS]
        suggestions = self.suggestions_of(
            [notes[pk][:2] for members in shown for pk in members]
            + [(note.pk, note.text) for note in shown_notes if not note.area_id]
        )
        groups = [
            Repeats.of(self, number, [notes[pk] for pk in members], suggestions)
            for number, members in enumerate(shown, start=1)
        ]
        return groups, len(found)

    def theme_choices(self) -> list[tuple[int, str]]:
        """The workshop's themes, each with its reach: repeats put in it count."""
        return [
            (theme.pk, f"{theme.name} ({reach_text(theme.note_count, theme.flipchart_count)})")
            for theme in self.themes
        ]

    @classmethod
    def load(cls, workshop: Workshop) -> "Bench":
        """What a page, or a save that may show one, chooses from."""
        groups = workshop.groups.order_by().only("workshop_id", "subject")
        groups = {group.pk: group for group in groups.annotate(photo_count=Count("photos"))}
        for group in groups.values():
            group.workshop = workshop
            group.photos_url = (
                reverse("admin:workshops_flipchartgroup_change", args=[group.pk])
                if group.photo_count
                else ""
            )
        # Each theme's reach is counted among the workshop's own notes, found by their
        # flipcharts: joining the themes to every note in the service cost as much as the
        # service is large whenever PostgreSQL's statistics were behind.
        notes = FilteredRelation(
            "contributions",
            condition=Q(
                contributions__group_id__in=list(groups), contributions__removed_at__isnull=True
            ),
        )
        themes = (
            workshop.themes.order_by("name")
            .annotate(notes=notes)
            .annotate(
                note_count=Count("notes"), flipchart_count=Count("notes__group", distinct=True)
            )
        )
        return cls.of(workshop, themes, groups)

    @classmethod
    def for_one_note(cls, workshop: Workshop, choice: Choice) -> "Bench":
        """What a save of one note (the script's) chooses from: the areas, and only the themes
        the choice names, by id or as a new theme's name. It shows no page, so it needs no
        flipcharts, nor the themes' reach."""
        named = []
        if choice.theme.isdigit():
            named.append(Q(pk=int(choice.theme)))
        if choice.new_theme:
            named.append(Q(name__iexact=choice.new_theme))
        themes = workshop.themes.filter(reduce(or_, named)) if named else []
        return cls.of(workshop, themes, groups={})

    @classmethod
    def of(cls, workshop: Workshop, themes, groups: dict) -> "Bench":
        areas = list(Area.objects.order_by("order", "name"))
        areas_by_id = {area.pk: area for area in areas}
        themes = list(themes)
        for theme in themes:
            theme.workshop = workshop
            if theme.area_id:
                theme.area = areas_by_id[theme.area_id]
        return cls(workshop=workshop, areas=areas, themes=themes, groups=groups)

    def parse(self, choice: Choice) -> dict:
        """The service's arguments for a choice; WorkbenchError for values not on offer."""
        area = self.areas_by_pk.get(choice.area)
        if choice.area and area is None:
            raise WorkbenchError("Select an area", field="area")
        theme = self.themes_by_pk.get(choice.theme)
        if choice.theme and theme is None:
            raise WorkbenchError("Choose a theme from the list", field="theme")
        if len(choice.new_theme) > MAX_NEW_THEME_LENGTH:
            raise WorkbenchError(
                f"Theme name must be {MAX_NEW_THEME_LENGTH} characters or fewer",
                field="new_theme",
            )
        if choice.hidden_reason not in HIDE_LABELS:
            raise WorkbenchError("Select whether to show or hide the note", field="hidden_reason")
        return {
            "area": area,
            "theme": theme,
            "new_theme_name": choice.new_theme,
            "hidden_reason": choice.hidden_reason,
            "suggested_area": self.areas_by_pk.get(choice.suggested),
        }

    def theme_json(self) -> list[dict]:
        return [{"id": t.pk, "name": t.name, "area": t.area_id} for t in self.themes]


def reach_text(notes: int, flipcharts: int) -> str:
    return ngettext("%(n)d note", "%(n)d notes", notes) % {"n": notes} + ngettext(
        " from %(n)d flipchart", " from %(n)d flipcharts", flipcharts
    ) % {"n": flipcharts}


@dataclass
class Repeats:
    """Notes to triage that say much the same, offered to put in one theme in one move, with
    the area and theme most of them were suggested (when sure)."""

    number: int
    ids: str  # the notes' ids, comma-separated: the form sends them as one field
    quoted: list[tuple[str, str]]  # text and flipchart of the first few notes
    count: int
    flipcharts: int
    area: str = ""
    theme: str = ""
    theme_options: str = ""
    area_options: str = ""

    @property
    def heading(self) -> str:
        return f"{reach_text(self.count, self.flipcharts)} say much the same"

    @property
    def unquoted(self) -> int:
        return self.count - len(self.quoted)

    @classmethod
    def of(
        cls, bench: Bench, number: int, members: list[tuple[int, str, int]], suggestions: dict
    ) -> "Repeats":
        suggested = [suggestions[pk] for pk, _, _ in members if pk in suggestions]
        areas = Counter(s.area for s in suggested if s.sure)
        themes = Counter(s.theme for s in suggested if s.theme in bench.themes_by_name)
        area = bench.areas_by_name.get(areas.most_common(1)[0][0]) if areas else None
        theme = bench.themes_by_name[themes.most_common(1)[0][0]] if themes else None
        return cls(
            number=number,
            ids=",".join(str(pk) for pk, _, _ in members),
            quoted=[(text, bench.groups[group].subject) for _, text, group in members][
                :REPEAT_QUOTED
            ],
            count=len(members),
            flipcharts=len({group for _, _, group in members}),
            area=str(area.pk) if area else "",
            theme=str(theme.pk) if theme else "",
        )


def workbench_permitted(model_admin, request, workshop=None) -> bool:
    return model_admin.has_view_permission(request, workshop) and request.user.has_perm(
        "workshops.change_contribution"
    )


# What a note's markup shows and its choice starts from: reading only these halves the cost
# of reading a page of notes.
NOTE_FIELDS = (
    "group_id",
    "text",
    "kind",
    "reach",
    "area_id",
    "theme_id",
    "hidden_from_public",
    "hidden_reason",
)
# The notes to triage are read as rows of these, in the model's order of fields, so that the
# page's own rows become notes (Model.from_db) without reading them again.
WAITING_COLUMNS = tuple(
    field.attname
    for field in Contribution._meta.concrete_fields
    if field.attname in {"id", "reviewed_at", "channel", *NOTE_FIELDS}
)


def notes_for(workshop: Workshop, bench: Bench, show: str):
    notes = (
        Contribution.objects.filter(group_id__in=list(bench.groups))
        .order_by("entered_at", "pk")
        .only(*NOTE_FIELDS)
    )
    return notes.to_triage_in(workshop) if show == "untriaged" else notes.present()


# The markup of one note


# Stands for a note's prefix ("n<id>") in markup built once for the page. Escaped text never
# holds a "<", so the stand-in can only be where it was put.
PREFIX = "<prefix>"


class NoteHtml:
    """Renders notes' controls from parts escaped and joined once for the page: each note only
    puts its prefix in and marks its choices."""

    def __init__(self, bench: Bench):
        self.bench = bench
        self.kinds = {value: escape(label) for value, label in Contribution.Kind.choices}
        self.reaches = {value: escape(label.lower()) for value, label in Contribution.Reach.choices}
        self.area_radios = [
            radio_variants(
                value,
                f'<div class="wb-choice"><input type="radio" name="{PREFIX}-area" '
                f'id="{PREFIX}-area-{value}" value="{value}" '
                f'aria-describedby="{PREFIX}-area-{value}-hint"',
                f'><label for="{PREFIX}-area-{value}"><kbd class="wb-key" aria-hidden="true">'
                f"{n}</kbd>{escape(area.name)}</label>"
                f'<div class="wb-hint" id="{PREFIX}-area-{value}-hint">{escape(area.includes)}'
                "</div></div>",
            )
            for n, (value, area) in enumerate(bench.areas_by_pk.items(), start=1)
        ]
        self.hide_radios = [
            radio_variants(
                value,
                f'<div class="wb-choice wb-choice-small"><input type="radio" '
                f'name="{PREFIX}-hidden_reason" id="{PREFIX}-hide-{value or "no"}" value="{value}"',
                f'><label for="{PREFIX}-hide-{value or "no"}">{label}</label></div>',
            )
            for value, label in HIDE_CHOICES
        ]
        by_area = {}
        for theme in bench.themes:
            by_area.setdefault(theme.area_id, []).append(
                f'<option value="{theme.pk}" data-area="{theme.area_id or ""}">'
                f"{escape(theme.name)}</option>"
            )
        names = {area.pk: escape(area.name) for area in bench.areas}
        self.theme_options = '<option value="">No theme</option>' + "".join(
            f'<optgroup label="{names.get(area_id, "No area yet")}">{"".join(options)}</optgroup>'
            for area_id, options in by_area.items()
        )

    def themes(self, chosen: str) -> str:
        """The theme picker's options with the chosen theme's marked (values are ids, so
        `value="<id>"` names one option only)."""
        if not chosen.isdigit():
            return self.theme_options
        return self.theme_options.replace(
            f'<option value="{chosen}" ', f'<option value="{chosen}" selected ', 1
        )

    def note(self, item: "Item") -> str:
        """The whole note: what was said, where, and its controls."""
        note, pk, number = item.note, item.note.pk, item.number
        group = escape(note.group.subject)
        meta = [f"<span>{group}</span>", f"<span>{self.kinds.get(note.kind, '')}</span>"]
        if note.reach:
            meta.append(f"<span>shared by {self.reaches.get(note.reach, '')}</span>")
        if item.photos_url:
            meta.append(
                f'<a href="{item.photos_url}">Photos of the flipchart<span class="visually-hidden">'
                f" of {group}</span> ({note.group.photo_count})</a>"
            )
        text = escape(note.text).replace("\n", "<br>")
        return (
            f'<li class="wb-note{" wb-note-error" if item.error else ""}" id="note-{pk}" '
            f'data-note="{pk}" tabindex="-1" aria-labelledby="note-{pk}-title">'
            f'<input type="hidden" name="notes" value="{pk}">'
            f'<h2 class="wb-title" id="note-{pk}-title">Note {number}'
            f'<span class="wb-done-flag" hidden> (saved)</span></h2>'
            f'<p class="wb-meta"><span class="wb-select"><input type="checkbox" name="selected" '
            f'value="{pk}" id="select-{pk}" form="wb-bulk"><label for="select-{pk}">Select'
            f'<span class="visually-hidden"> note {number}</span></label></span>'
            f"{' · '.join(meta)}</p>"
            f'<blockquote class="wb-text">{text}</blockquote>'
            f"{item.controls}"
            f'<p class="wb-note-status" id="note-{pk}-status"></p></li>'
        )

    def suggestion(self, p: str, choice: Choice, suggestion: ShownSuggestion | None) -> str:
        """The machine's suggestion, how sure it is and why, and the hidden field that lets
        the save record whether it was taken."""
        if suggestion is None:
            return ""
        if suggestion.area is None:
            return f'<p class="wb-suggestion">{escape(suggestion.label)}</p>'
        because = f" {escape(suggestion.because)}" if suggestion.because else ""
        theme = self.bench.themes_by_name.get(suggestion.theme)
        if theme is not None:
            because = f" Theme: {escape(theme.name)}?{because}"
        shown = "Suggested" if suggestion.sure else "Unsure, nothing chosen; perhaps"
        return (
            f'<p class="wb-suggestion" id="{p}-suggestion">{shown}: '
            f"<strong>{escape(suggestion.label)}</strong>.{because}</p>"
            f'<input type="hidden" name="{p}-suggested" value="{escape(choice.suggested)}">'
        )

    def render(
        self,
        note: Contribution,
        choice: Choice,
        error: WorkbenchError | None,
        suggestion: ShownSuggestion | None = None,
    ) -> str:
        pk = note.pk
        p = f"n{pk}"
        areas = radios(self.area_radios, choice.area, p)
        hides = radios(self.hide_radios, choice.hidden_reason, p)
        error_html = ""
        if error is not None:
            error_html = (
                f'<p class="errornote wb-error" id="{p}-error">Error: {escape(error.message)}</p>'
            )
        return (
            f"{error_html}{self.suggestion(p, choice, suggestion)}"
            f'<fieldset class="wb-areas"><legend>Area</legend>{areas}</fieldset>'
            f'<div class="wb-theme"><label for="{p}-theme">Theme</label>'
            f'<select name="{p}-theme" id="{p}-theme">{self.themes(choice.theme)}</select>'
            f'<label for="{p}-new_theme" class="wb-new-theme-label">Or a new theme called</label>'
            f'<input type="text" name="{p}-new_theme" id="{p}-new_theme" autocomplete="off" '
            f'maxlength="{MAX_NEW_THEME_LENGTH}" value="{escape(choice.new_theme)}"></div>'
            f'<fieldset class="wb-hide"><legend>Public</legend>{hides}</fieldset>'
        )


def radio_variants(value: str, start: str, end: str) -> tuple[str, str, str]:
    """A radio's markup as it is for a page, unchecked and checked; `start` ends inside its
    <input>, `end` closes it."""
    return value, f"{start}{end}", f"{start} checked{end}"


def radios(variants: list[tuple[str, str, str]], chosen: str, p: str) -> str:
    """The radios of one note: the chosen one checked, the page's prefix made the note's."""
    return "".join(
        checked if value == chosen else unchecked for value, unchecked, checked in variants
    ).replace(PREFIX, p)


@dataclass
class Item:
    note: Contribution
    number: int
    controls: SafeString
    error: WorkbenchError | None
    photos_url: str
    first_area_pk: int | None = None
    html: str = ""

    @property
    def error_target(self) -> str:
        """The id of the control an error summary's link moves to."""
        name = self.error.field if self.error else ""
        if name in ("theme", "new_theme"):
            return f"n{self.note.pk}-{name}"
        if name == "hidden_reason":
            return f"n{self.note.pk}-hide-no"
        return f"n{self.note.pk}-area-{self.first_area_pk}"


def items_for(bench: Bench, notes, first_number: int, choices=None, errors=None) -> list[Item]:
    html = NoteHtml(bench)
    items = []
    notes = list(notes)
    suggestions = bench.suggestions(notes)
    for number, note in enumerate(notes, start=first_number):
        group = bench.groups[note.group_id]
        note.group = group
        suggestion = suggestions.get(note.pk)
        choice = (choices or {}).get(note.pk) or Choice.of(note, suggestion, bench)
        error = (errors or {}).get(note.pk)
        items.append(
            Item(
                note=note,
                number=number,
                # Every value in it was escaped by NoteHtml.
                controls=mark_safe(html.render(note, choice, error, suggestion)),
                error=error,
                photos_url=group.photos_url,
                first_area_pk=bench.areas[0].pk if bench.areas else None,
            )
        )
        # Every value in it was escaped by NoteHtml.
        items[-1].html = mark_safe(html.note(items[-1]))
    return items


def page_context(model_admin, request, bench: Bench, *, show, size, page_number, items=None):
    workshop = bench.workshop
    notes = notes_for(workshop, bench, show)
    repeats, repeat_groups, still = [], 0, None
    if show == "untriaged":
        # The notes to triage, read once in one query: they are counted (as the contribution
        # list's two filters count them too), paged and searched for repeats.
        waiting = list(notes.values_list(*WAITING_COLUMNS, named=True))
        paginator = Paginator(waiting, size)
        page = paginator.get_page(page_number)
        page.object_list = [
            Contribution.from_db(notes.db, WAITING_COLUMNS, row) for row in page.object_list
        ]
        repeats, repeat_groups = bench.repeats(
            [(row.id, row.text, row.group_id) for row in waiting], shown_notes=page.object_list
        )
        theme_choices = RenderedChoices(bench.theme_choices())
        area_choices = RenderedChoices((area.pk, area.name) for area in bench.areas)
        for group in repeats:
            group.theme_options = theme_choices.render(group.theme)
            group.area_options = area_choices.render(group.area)
        # Every note to triage is shown (not hidden): not yet triaged without an area, not
        # yet reviewed without a review where one is asked: by the workshop, or for every note
        # the public sent online.
        review_asked = workshop.notes_public_after_review
        still = {
            "not_triaged": sum(1 for row in waiting if row.area_id is None),
            "not_reviewed": sum(
                1
                for row in waiting
                if row.reviewed_at is None
                and (review_asked or row.channel == Contribution.Channel.ONLINE)
            ),
        }
    else:
        paginator = Paginator(notes, size)
        page = paginator.get_page(page_number)
    if items is None:
        items = items_for(bench, page.object_list, page.start_index())
    errors = [item for item in items if item.error is not None]
    # The contribution list's two filters, counted as it counts them: their notes together are
    # the workbench's "still to triage".
    still = still or Contribution.objects.filter(group_id__in=list(bench.groups)).aggregate(
        not_triaged=Count("pk", filter=Q(removed_at__isnull=True) & NOT_TRIAGED),
        not_reviewed=Count("pk", filter=Q(removed_at__isnull=True) & NOT_REVIEWED),
    )
    return {
        **model_admin.admin_site.each_context(request),
        # The notes take the page's whole width; the header and breadcrumbs lead elsewhere, and
        # the sidebar's list of every admin page would cost a quarter of the page's time.
        "is_nav_sidebar_enabled": False,
        "title": f"Triage workbench: {workshop}",
        "subtitle": None,
        "opts": model_admin.opts,
        "workshop": workshop,
        "items": items,
        # Every item's markup was escaped by NoteHtml.
        "items_html": mark_safe("".join(item.html for item in items)),
        "errors": errors,
        "repeats": repeats,
        "repeats_not_shown": repeat_groups - len(repeats),
        "page": page,
        "paginator": paginator,
        "show": show,
        "show_choices": [
            (key, label, workbench_url(workshop, show=key, size=size))
            for key, label in SHOW.items()
        ],
        "size": size,
        "size_choices": [(n, workbench_url(workshop, show=show, size=n)) for n in PAGE_SIZES],
        "areas": bench.areas,
        "themes": bench.themes,
        "hide_choices": HIDE_CHOICES[1:],
        "themes_json": bench.theme_json(),
        "save_url": reverse("admin:workshops_workshop_workbench_save", args=[workshop.pk]),
        "next_url": workbench_url(workshop, show=show, size=size, page=page_number),
        "previous_page_url": workbench_url(
            workshop, show=show, size=size, page=page.previous_page_number()
        )
        if page.has_previous()
        else "",
        "next_page_url": workbench_url(workshop, show=show, size=size, page=page.next_page_number())
        if page.has_next()
        else "",
        "overview_url": reverse("admin:workshops_workshop_triage", args=[workshop.pk]),
        "list_url": changelist_url(
            Contribution, group__workshop__id__exact=workshop.pk, removed="no"
        ),
        "not_triaged": {
            "count": still["not_triaged"],
            "url": changelist_url(
                Contribution, group__workshop__id__exact=workshop.pk, removed="no", triaged="no"
            ),
        },
        "not_reviewed": {
            "count": still["not_reviewed"],
            "url": changelist_url(
                Contribution, group__workshop__id__exact=workshop.pk, removed="no", reviewed="no"
            ),
        },
    }


def read_view_options(data) -> tuple[str, int]:
    show = data.get("show") if data.get("show") in SHOW else "untriaged"
    size = int(data["size"]) if data.get("size") in {str(n) for n in PAGE_SIZES} else PAGE_SIZES[0]
    return show, size


def workbench_view(model_admin, request, object_id):
    workshop = get_object_or_404(Workshop, pk=object_id)
    if not workbench_permitted(model_admin, request, workshop):
        raise PermissionDenied
    show, size = read_view_options(request.GET)
    bench = Bench.load(workshop)
    context = page_context(
        model_admin, request, bench, show=show, size=size, page_number=request.GET.get("page")
    )
    return TemplateResponse(request, "admin/workshops/workshop/workbench.html", context)


# Saving


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def note_json(note: Contribution) -> dict:
    return {
        "id": note.pk,
        "area": note.area_id,
        "theme": note.theme_id,
        "hidden_reason": note.hidden_reason if note.hidden_from_public else "",
    }


def new_theme_json(theme: Theme | None, bench: Bench) -> dict | None:
    """A theme made by a save, for the page's theme pickers; None if it was there already."""
    if theme is None or str(theme.pk) in bench.themes_by_pk:
        return None
    return {"id": theme.pk, "name": theme.name, "area": theme.area_id}


def saved_message(note: Contribution, bench: Bench, theme: Theme | None) -> str:
    parts = []
    area = bench.areas_by_pk.get(str(note.area_id))
    parts.append(f"in {area}" if area else "no area")
    if theme is not None:
        parts.append(f"theme {theme}")
    if note.hidden_from_public:
        parts.append(HIDE_LABELS[note.hidden_reason].lower())
    return f"Note {note.pk} saved: " + ", ".join(parts) + "."


class _Invalid(Exception):
    """Some notes of a page cannot be saved: none are, and the page shows why."""


def workbench_save_view(model_admin, request, object_id):
    if not workbench_permitted(model_admin, request):
        raise PermissionDenied
    action = request.POST.get("action", "") if request.method == "POST" else ""
    # The script's saves of one note read the workshop with the note.
    if action == "one":
        return save_one(request, object_id)
    if action == "undo":
        return undo_one(request, object_id)
    workshop = get_object_or_404(Workshop, pk=object_id)
    if request.method != "POST":
        return HttpResponseRedirect(workbench_url(workshop))
    bench = Bench.load(workshop)
    if action == "bulk":
        return save_selected(request, bench)
    if action == "repeats":
        return save_repeats(request, bench)
    return save_page(model_admin, request, bench)


def note_from(workshop_id: str, pk: str) -> Contribution | None:
    """A present note of the workshop, read with its flipchart, workshop and theme."""
    if not (str(workshop_id).isdigit() and str(pk).isdigit()):
        return None
    return (
        Contribution.objects.present()
        .filter(pk=int(pk), group__workshop_id=int(workshop_id))
        .select_related("group__workshop", "theme")
        .first()
    )


def json_error(message: str, status: int = 400, field_name: str = "") -> JsonResponse:
    return JsonResponse({"ok": False, "error": message, "field": field_name}, status=status)


def save_one(request, workshop_id: str):
    note = note_from(workshop_id, request.POST.get("note", ""))
    if note is None:
        return json_error("This note is not in the workshop any more", status=404)
    choice = Choice.sent(request.POST, note.pk)
    bench = Bench.for_one_note(note.group.workshop, choice)
    try:
        saved = contribution_triage(contribution=note, by=request.user, **bench.parse(choice))
    except WorkbenchError as error:
        return json_error(error.message, field_name=error.field)
    theme, made = theme_saved(saved, note, bench)
    new_theme = new_theme_json(theme, bench) if made else None
    return JsonResponse(
        {
            "ok": True,
            "note": note_json(saved),
            "message": saved_message(saved, bench, theme),
            "new_theme": new_theme,
            "recurring": recurring_offer(theme) if new_theme else None,
        }
    )


def theme_saved(saved: Contribution, note: Contribution, bench: Bench) -> tuple[Theme | None, bool]:
    """The theme a save of one note left it in, and whether the save made that theme. The bench
    holds only the themes the choice named; a theme kept is the one the note was read with."""
    if saved.theme_id is None:
        return None, False
    if str(saved.theme_id) in bench.themes_by_pk:
        return bench.themes_by_pk[str(saved.theme_id)], False
    if saved.theme_id == note.theme_id:
        return note.theme, False
    return saved.theme, True


def recurring_offer(theme: Theme) -> dict | None:
    """The recurring themes a theme just made may join, for the script to offer; none when
    there is nothing to choose from."""
    offer = proposals_json(theme)
    return offer if offer["choices"] else None


def offer_recurring_links(request, bench: Bench) -> None:
    """After a page of notes made new themes, a message per theme that could join a recurring
    theme, with the link to choose (the script offers the choices in place instead)."""
    made = Theme.objects.filter(workshop=bench.workshop).exclude(pk__in=list(bench.themes_by_pk))
    for theme in made.select_related("workshop"):
        proposals = recurring_theme_proposals(theme)
        if proposals:
            messages.info(
                request,
                format_html(
                    "“{}” may have been said at other workshops too, like “{}”. "
                    '<a href="{}">Link it to a recurring theme</a>',
                    theme.name,
                    proposals[0].name,
                    theme_recurring_url(theme, next_url=workbench_url(bench.workshop)),
                ),
            )


def undo_one(request, workshop_id: str):
    note = note_from(workshop_id, request.POST.get("note", ""))
    if note is None:
        return json_error("This note is not in the workshop any more", status=404)
    try:
        restored = contribution_triage_undo(contribution=note, by=request.user)
    except NothingToUndo as error:
        return json_error(error.message, status=409)
    return JsonResponse(
        {"ok": True, "note": note_json(restored), "message": f"Undid the save of note {note.pk}."}
    )


def back_to_page(request, bench: Bench) -> HttpResponseRedirect:
    """Back to the workbench page the form was sent from; only ever to this workbench."""
    home = workbench_url(bench.workshop)
    sent_from = request.POST.get("next", "")
    return HttpResponseRedirect(sent_from if sent_from.startswith(f"{home}?") else home)


def save_selected(request, bench: Bench):
    ids = [int(pk) for pk in request.POST.getlist("selected") if pk.isdigit()]
    notes = Contribution.objects.present().filter(pk__in=ids, group_id__in=list(bench.groups))
    hidden_reason = request.POST.get("bulk-hidden_reason", KEEP)
    try:
        if not ids:
            raise WorkbenchError("Select the notes to change first", field="selected")
        arguments = bench.parse(
            Choice(
                area=request.POST.get("bulk-area", ""),
                theme=request.POST.get("bulk-theme", ""),
                hidden_reason="" if hidden_reason == KEEP else hidden_reason,
            )
        )
        if hidden_reason == KEEP:
            arguments["hidden_reason"] = None
        # Suggestions are per note; a bulk move records none.
        del arguments["suggested_area"]
        triaged = contributions_triage(contributions=notes, by=request.user, **arguments)
    except (WorkbenchError, MixedWorkshopsError, ValueError) as error:
        message = getattr(error, "message", str(error))
        if wants_json(request):
            return json_error(message, field_name=getattr(error, "field", ""))
        messages.error(request, message)
        return back_to_page(request, bench)
    message = ngettext(
        "%(count)d selected note saved.", "%(count)d selected notes saved.", len(triaged.changed)
    ) % {"count": len(triaged.changed)}
    if wants_json(request):
        theme = triaged.theme
        return JsonResponse(
            {
                "ok": True,
                "notes": [note_json(note) for note in triaged.changed],
                "message": message,
                "new_theme": new_theme_json(theme, bench),
            }
        )
    messages.success(request, message)
    return back_to_page(request, bench)


def save_repeats(request, bench: Bench):
    """Put a group of notes that say much the same in one theme (an existing one, or a new one
    of the chosen area) in one move."""
    ids = [int(pk) for pk in request.POST.get("repeats", "").split(",") if pk.isdigit()]
    notes = Contribution.objects.present().filter(pk__in=ids, group_id__in=list(bench.groups))
    try:
        choice = Choice(
            area=request.POST.get("repeat-area", ""),
            theme=request.POST.get("repeat-theme", ""),
            new_theme=request.POST.get("repeat-new_theme", "").strip(),
        )
        if not (choice.theme or choice.new_theme):
            raise WorkbenchError("Choose a theme or name a new one", field="theme")
        arguments = bench.parse(choice)
        del arguments["suggested_area"], arguments["hidden_reason"]
        triaged = contributions_triage(contributions=notes, by=request.user, **arguments)
    except (WorkbenchError, MixedWorkshopsError) as error:
        if wants_json(request):
            return json_error(error.message if hasattr(error, "message") else str(error))
        messages.error(request, getattr(error, "message", str(error)))
        return back_to_page(request, bench)
    theme = triaged.theme
    reach = (
        Contribution.objects.present()
        .filter(theme=theme)
        .aggregate(notes=Count("pk"), flipcharts=Count("group", distinct=True))
    )
    message = ngettext(
        "%(count)d note put in “%(theme)s”",
        "%(count)d notes put in “%(theme)s”",
        len(triaged.changed),
    ) % {"count": len(triaged.changed), "theme": theme.name}
    message += f", which now holds {reach_text(reach['notes'], reach['flipcharts'])}."
    if wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "notes": [note_json(note) for note in triaged.changed],
                "message": message,
                "new_theme": new_theme_json(theme, bench),
            }
        )
    messages.success(request, message)
    return back_to_page(request, bench)


def is_unchanged(note: Contribution, choice: Choice) -> bool:
    return note.reviewed_at is not None and not choice.new_theme and choice == Choice.of(note)


def save_page(model_admin, request, bench: Bench):
    """The form without JavaScript: every note on the page that was given a choice is saved,
    or, if any cannot be, none is and the page comes back with what was sent and why."""
    show, size = read_view_options(request.POST)
    ids = [int(pk) for pk in request.POST.getlist("notes") if pk.isdigit()][: max(PAGE_SIZES)]
    notes = list(
        Contribution.objects.filter(pk__in=ids, group_id__in=list(bench.groups))
        .present()
        .select_related("theme")
        .order_by("entered_at", "pk")
    )
    choices = {note.pk: Choice.sent(request.POST, note.pk) for note in notes}
    for note in notes:
        note.group = bench.groups[note.group_id]
    errors, saved = {}, 0
    try:
        with transaction.atomic():
            for note in notes:
                choice = choices[note.pk]
                if choice.is_blank() or is_unchanged(note, choice):
                    continue
                try:
                    contribution_triage(contribution=note, by=request.user, **bench.parse(choice))
                except WorkbenchError as error:
                    errors[note.pk] = error
                else:
                    saved += 1
            if errors:
                raise _Invalid
    except _Invalid:
        bench = Bench.load(bench.workshop)  # themes made before the error were taken back
        page_number = request.POST.get("page")
        first = int(request.POST.get("first") or 1)
        context = page_context(
            model_admin,
            request,
            bench,
            show=show,
            size=size,
            page_number=page_number,
            items=items_for(bench, notes, first, choices, errors),
        )
        return TemplateResponse(
            request, "admin/workshops/workshop/workbench.html", context, status=400
        )
    if saved:
        messages.success(request, ngettext("%d note saved.", "%d notes saved.", saved) % saved)
        if any(choice.new_theme for choice in choices.values()):
            offer_recurring_links(request, bench)
    else:
        messages.info(request, "Nothing was saved: choose an area for a note, or hide it.")
    # Saved notes leave the list of notes to triage, so its first page holds the next ones.
    page = None if show == "untriaged" else int(request.POST.get("page") or 1) + 1
    return HttpResponseRedirect(workbench_url(bench.workshop, show=show, size=size, page=page))
