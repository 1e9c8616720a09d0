import pytest
from django.core.exceptions import ValidationError

from workshops.capture import MAX_NOTES_PER_SUBMIT, notes_digest, parse_notes
from workshops.models import ContributionKind as Kind


def parse(text, default_kind=Kind.COMMENT):
    return [
        (note.line_number, note.text, note.kind)
        for note in parse_notes(text, default_kind=default_kind)
    ]


def messages(text):
    with pytest.raises(ValidationError) as error:
        parse_notes(text, default_kind=Kind.COMMENT)
    return error.value.messages


def test_each_line_is_a_note_with_blank_lines_skipped_and_whitespace_trimmed():
    text = "  Access is blocked  \n\n\t\nStill on IE6\r\n   \nNeed permission\n"
    assert parse(text) == [
        (1, "Access is blocked", Kind.COMMENT),
        (4, "Still on IE6", Kind.COMMENT),
        (6, "Need permission", Kind.COMMENT),
    ]


def test_shorthand_at_the_start_of_a_line_sets_its_kind():
    text = (
        "+ Speed of communication\n- Lack of control\n? Do we have permission?\n"
        "!\tDigital champions"
    )
    assert parse(text, default_kind=Kind.COMMENT) == [
        (1, "Speed of communication", Kind.POSITIVE),
        (2, "Lack of control", Kind.NEGATIVE),
        (3, "Do we have permission?", Kind.QUESTION),
        (4, "Digital champions", Kind.IDEA),
    ]


def test_lines_without_shorthand_take_the_batch_kind():
    assert parse("Yammer\n+ Skype", default_kind=Kind.IDEA) == [
        (1, "Yammer", Kind.IDEA),
        (2, "Skype", Kind.POSITIVE),
    ]


def test_a_symbol_without_a_space_after_it_is_kept_as_typed():
    assert parse("+1 to the buddy idea\n-5% budget\n?!\n!important", default_kind=Kind.IDEA) == [
        (1, "+1 to the buddy idea", Kind.IDEA),
        (2, "-5% budget", Kind.IDEA),
        (3, "?!", Kind.IDEA),
        (4, "!important", Kind.IDEA),
    ]


def test_symbols_inside_a_line_are_just_text():
    assert parse("Budget -5% and +10% staff?") == [(1, "Budget -5% and +10% staff?", Kind.COMMENT)]


def test_an_empty_submit_asks_for_a_note():
    assert messages(" \n\n ") == ["Enter at least one note"]


def test_shorthand_with_no_text_names_its_line():
    assert messages("Fine\n\n+\n?  ") == [
        "Line 3 has a shorthand symbol but no note: add the note after it",
        "Line 4 has a shorthand symbol but no note: add the note after it",
    ]


def test_a_note_over_1000_characters_names_its_line():
    assert messages("Short\n" + "x" * 1000 + "\n" + "y" * 1001) == [
        "Note on line 3 must be 1,000 characters or fewer (it has 1,001)"
    ]


def test_a_note_of_exactly_1000_characters_after_trimming_is_accepted():
    assert len(parse("   " + "x" * 1000 + "   ")[0][1]) == 1000


def test_more_than_200_notes_in_one_submit_is_refused():
    assert len(parse("note\n" * MAX_NOTES_PER_SUBMIT)) == MAX_NOTES_PER_SUBMIT
    assert messages("note\n" * (MAX_NOTES_PER_SUBMIT + 1))[0] == (
        "Enter 200 notes or fewer at a time (you entered 201): add the rest in a second submit"
    )


def test_markup_is_kept_as_typed_text():
    assert parse("<script>alert(1)</script>") == [(1, "<script>alert(1)</script>", Kind.COMMENT)]


def test_the_digest_tells_different_batches_apart():
    first = parse_notes("a\nb", default_kind=Kind.COMMENT)
    assert notes_digest(first) == notes_digest(parse_notes("a\n\nb ", default_kind=Kind.COMMENT))
    assert notes_digest(first) != notes_digest(parse_notes("a\n+b", default_kind=Kind.COMMENT))
