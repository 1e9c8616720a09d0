"""Widgets for long admin lists that render their HTML directly, without the form template engine.

A changelist of 100 editable rows renders hundreds of widgets; through templates each costs about
a millisecond, most of the page's time. These give the same markup as Django's own widgets."""

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

ACTION_CHECKBOX_LABEL = "Select this object for an action - {}"
# Enough of a note to tell one row's controls from the next when a screen reader lists them.
NAMED_WORDS = 8


def first_words(text: str, count: int = NAMED_WORDS) -> str:
    """The start of `text`, to name a row's controls after it."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


class RenderedChoices(BaseChoiceIterator):
    """Choices with their <option> markup rendered once for every row that offers them."""

    def __init__(self, choices):
        self.choices = list(choices)
        self.options = [
            (str(value), format_html('<option value="{}">{}</option>', value, label))
            for value, label in self.choices
        ]

    def __iter__(self):
        return iter(self.choices)

    def render(self, chosen: str) -> str:
        # Every option was escaped by format_html when the choices were rendered.
        return mark_safe(
            "".join(
                option.replace(" value=", " selected value=", 1) if value == chosen else option
                for value, option in self.options
            )
        )


class PrerenderedSelect(forms.Select):
    """A select that renders the options of `RenderedChoices` without templates; share one
    `RenderedChoices` between the rows that offer the same choices."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = self.choices
        if not isinstance(choices, RenderedChoices):
            choices = RenderedChoices(choices)
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        return format_html("<select{}>{}</select>", flatatt(attrs), choices.render(chosen))


class PlainHiddenInput(forms.HiddenInput):
    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(
            self.attrs,
            {**(attrs or {}), "type": "hidden", "name": name, "value": self.format_value(value)},
        )
        return format_html("<input{}>", flatatt(attrs))


def action_checkbox_html(name: str, obj) -> str:
    """The markup of the admin's own row checkbox for actions."""
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        name,
        obj.pk,
        format_html(ACTION_CHECKBOX_LABEL, str(obj)),
    )
