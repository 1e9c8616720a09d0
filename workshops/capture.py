"""Reading a facilitator's typed flipchart notes: one note per line, with shorthand for the kind.

A symbol is shorthand only when a space follows it ("+ Speed", "- Lack of control"), so text
that merely starts with one ("+1 to the buddy idea", "-5% budget", "?!") is kept as typed and
takes the batch's kind. After a submit the capture page shows how each note was read, with a
one-tap fix, because a "- " bullet typed out of habit still reads as a negative."""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workshops.models import Contribution, ContributionKind

MAX_NOTES_PER_SUBMIT = 200

SHORTHAND = {
    "+": ContributionKind.POSITIVE,
    "-": ContributionKind.NEGATIVE,
    "?": ContributionKind.QUESTION,
    "!": ContributionKind.IDEA,
}


@dataclass(frozen=True)
class ParsedNote:
    line_number: int
    text: str
    kind: str


def parse_notes(text: str, *, default_kind: str) -> list[ParsedNote]:
    """Split typed text into notes: blank lines skipped, whitespace trimmed, shorthand applied.

    Raises ValidationError listing every problem, each naming its line number."""
    notes, errors = [], []
    for line_number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind = default_kind
        if line in SHORTHAND:
            errors.append(
                ValidationError(
                    _("Line %(line)s has a shorthand symbol but no note: add the note after it"),
                    code="shorthand_only",
                    params={"line": line_number},
                )
            )
            continue
        if line[0] in SHORTHAND and line[1].isspace():
            kind, line = SHORTHAND[line[0]], line[1:].strip()
        if len(line) > Contribution.MAX_LENGTH:
            errors.append(
                ValidationError(
                    _(
                        "Note on line %(line)s must be %(max)s characters or fewer "
                        "(it has %(length)s)"
                    ),
                    code="too_long",
                    params={
                        "line": line_number,
                        "max": f"{Contribution.MAX_LENGTH:,}",
                        "length": f"{len(line):,}",
                    },
                )
            )
            continue
        notes.append(ParsedNote(line_number=line_number, text=line, kind=kind))
    if len(notes) + len(errors) > MAX_NOTES_PER_SUBMIT:
        errors.insert(
            0,
            ValidationError(
                _(
                    "Enter %(max)s notes or fewer at a time (you entered %(count)s): "
                    "add the rest in a second submit"
                ),
                code="too_many",
                params={"max": MAX_NOTES_PER_SUBMIT, "count": len(notes) + len(errors)},
            ),
        )
    if errors:
        raise ValidationError(errors)
    if not notes:
        raise ValidationError(_("Enter at least one note"), code="empty")
    return notes


def notes_digest(notes: list[ParsedNote]) -> str:
    """A fingerprint of what was sent, so that a resend can be told from a different batch."""
    payload = json.dumps([[note.text, note.kind] for note in notes], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
