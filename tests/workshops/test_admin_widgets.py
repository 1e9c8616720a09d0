"""The template-free widgets of long admin lists give the markup of Django's own widgets."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.test import SimpleTestCase

from tests.factories import ContributionFactory
from workshops.admin.widgets import (
    PlainHiddenInput,
    PrerenderedSelect,
    RenderedChoices,
    action_checkbox_html,
    first_words,
)
from workshops.models import Contribution

CHOICES = [("", "---------"), (3, "Fish & chips"), (7, "<Tea>")]
ATTRS = {"id": "id_form-0-area", "aria-describedby": "id_form-0-area_helptext"}
# A row's select is named after its note, whose text may hold anything.
NAMED = {"id": "id_form-0-area", "aria-label": 'Area for note: Fish & "chips" <now>'}

assert_html_equal = SimpleTestCase().assertHTMLEqual


@pytest.mark.parametrize("attrs", [ATTRS, NAMED])
@pytest.mark.parametrize("value", [None, "", 3, "7", 99])
def test_select_renders_as_djangos_own(value, attrs):
    shared = RenderedChoices(CHOICES)
    ours = PrerenderedSelect(choices=shared).render("form-0-area", value, attrs)
    stock = forms.Select(choices=CHOICES).render("form-0-area", value, attrs)
    assert_html_equal(ours, stock)


def test_a_select_given_its_name_in_the_widgets_attrs_renders_as_djangos_own():
    ours = PrerenderedSelect(attrs={"aria-label": NAMED["aria-label"]}, choices=CHOICES)
    stock = forms.Select(attrs={"aria-label": NAMED["aria-label"]}, choices=CHOICES)
    assert_html_equal(ours.render("area", 7, ATTRS), stock.render("area", 7, ATTRS))
    assert 'aria-label="Area for note: Fish &amp; &quot;chips&quot; &lt;now&gt;"' in ours.render(
        "area", 7
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Unblock YouTube", "Unblock YouTube"),
        ("  one\ntwo   three ", "one two three"),
        ("1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8"),
        ("1 2 3 4 5 6 7 8 9", "1 2 3 4 5 6 7 8…"),
    ],
)
def test_a_rows_controls_are_named_after_the_first_words_of_its_note(text, named):
    assert first_words(text) == named


def test_select_renders_plain_choices_too():
    ours = PrerenderedSelect(choices=CHOICES).render("area", 3)
    assert_html_equal(ours, forms.Select(choices=CHOICES).render("area", 3))


def test_rows_share_one_rendering_of_their_choices():
    shared = RenderedChoices(CHOICES)
    rows = [PrerenderedSelect(choices=shared) for _ in range(2)]
    assert rows[0].choices.options is rows[1].choices.options
    assert shared == CHOICES


@pytest.mark.parametrize("value", [None, "", 12])
def test_hidden_input_renders_as_djangos_own(value):
    attrs = {"id": "id_form-0-id"}
    ours = PlainHiddenInput().render("form-0-id", value, attrs)
    assert_html_equal(ours, forms.HiddenInput().render("form-0-id", value, attrs))


@pytest.mark.django_db
def test_action_checkbox_renders_as_the_admins_own():
    contribution = ContributionFactory(text='Say "more" <loudly>')
    stock = admin.ModelAdmin(Contribution, admin.site).action_checkbox(contribution)
    ours = action_checkbox_html(helpers.ACTION_CHECKBOX_NAME, contribution)
    assert_html_equal(ours, stock)
