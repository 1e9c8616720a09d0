"""Filters for the service's own wording."""

from django import template

register = template.Library()

SENTENCE_ENDS = (".", "?", "!", "\u2026")


@register.filter
def sentence_end(text) -> str:
    """End a sentence that finishes with something typed, such as a workshop's title, with a
    full stop only when the text does not already end one: "...so what?", never "...so what?."."""
    text = str(text)
    return text if text.rstrip().endswith(SENTENCE_ENDS) else f"{text}."
