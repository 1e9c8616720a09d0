"""Hostile payloads, and a world where every text a user can fill holds one of them.

Each script payload, if it ever ran, would set `window.__xss` and open a dialog, so a browser
test can tell. UNESCAPED_TELLS are fragments that only appear in HTML if a payload escaped."""

import datetime

from actions.models import ActionSource
from actions.services import action_post_update, due_date_move
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    ThemeFactory,
    WorkshopFactory,
)
from workshops.models import Area, Contribution
from workshops.services import question_answer

SCRIPT_PAYLOADS = [
    "<script>window.__xss=1;alert('xss')</script>",
    '"><img src=x onerror="window.__xss=1;alert(1)">',
    '\'><svg onload="window.__xss=1;alert(2)">',
    "</title><script>window.__xss=1;alert(3)</script>",
    "</textarea><script>window.__xss=1;alert(4)</script>",
    '<a href="javascript:window.__xss=1;alert(5)">click me</a>',
    "javascript:window.__xss=1;alert(6)",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
]
TEXT_PAYLOADS = [
    "{{ request.user.password }}{% debug %}",
    "\u202eevil.exe\u202c reversed, with \u200b zero width",
    "Ünïcödé 漢字 🙂 and 'quotes' \"double\" & ampersand",
    '=HYPERLINK("http://evil.example","click")',
    "Line one\r\nBcc: attacker@example.com",
]
PAYLOADS = SCRIPT_PAYLOADS + TEXT_PAYLOADS
# Only refused on the way in: no database can hold a NUL in PostgreSQL's text.
REFUSED_PAYLOADS = ["before\x00after", "x" * 100_000]

UNESCAPED_TELLS = [
    "<script>window.__xss",
    "<img src=x onerror",
    "<svg onload",
    "<iframe srcdoc",
    'href="javascript:',
]


def payload(n: int) -> str:
    return PAYLOADS[n % len(PAYLOADS)]


class HostileWorld:
    """Stores payloads in every user-filled text field, counting each (field, payload) stored."""

    def __init__(self):
        self.stored = 0

    def fill(self, fields: list[str]) -> dict[str, str]:
        values = {field: payload(self.stored + n) for n, field in enumerate(fields)}
        self.stored += len(fields)
        return values

    def assign(self, instance, fields: list[str]) -> None:
        for field, value in self.fill(fields).items():
            setattr(instance, field, value)
        instance.save()

    def build(self, *, organiser, facilitator, owner, organisation) -> "HostileWorld":
        for user in (organiser, facilitator, owner):
            self.assign(user, ["full_name", "job_title"])
        self.assign(organisation, ["name"])
        workshop = WorkshopFactory(
            slug="hostile",
            **self.fill(["title", "event", "location", "purpose", "description"]),
        )
        group = FlipchartGroupFactory(
            workshop=workshop, **self.fill(["subject", "prompt", "facilitator_line"])
        )
        group.facilitators.add(facilitator)
        theme = ThemeFactory(workshop=workshop, **self.fill(["name", "summary"]))
        area = Area.objects.get(slug="infrastructure")
        notes = [
            ContributionFactory(group=group, theme=theme, area=area, text=text) for text in PAYLOADS
        ]
        self.stored += len(PAYLOADS)
        for text in PAYLOADS[:3]:
            question = ContributionFactory(
                group=group, area=area, kind=Contribution.Kind.QUESTION, text=text
            )
            question_answer(question=question, by=organiser, **self.fill(["answer"]))
        self.stored += 3
        action = ActionItemFactory(
            workshop=workshop,
            owner=organisation,
            due_date=datetime.date(2012, 10, 4),
            **self.fill(["title", "description"]),
        )
        ActionSource.objects.create(action=action, contribution=notes[0])
        action_post_update(action=action, by=owner, status="in_progress", **self.fill(["note"]))
        due_date_move(
            action=action,
            by=organiser,
            new_date=datetime.date(2012, 11, 4),
            **self.fill(["reason"]),
        )
        self.workshop, self.group, self.action = workshop, group, action
        self.notes = notes
        return self
