from django import template
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def due_tags(action, today=None):
    """The tags beside an action's due date: awaiting acceptance, then overdue or due soon.
    Python, not an include: the list of actions shows them on every row."""
    today = today or timezone.localdate()
    tags = []
    if action.is_awaiting_acceptance:
        tags.append(("blue", "Awaiting acceptance"))
    if action.is_overdue(today):
        tags.append(("red", "Overdue"))
    elif action.is_due_soon(today):
        days = action.days_until_due(today)
        tags.append(("yellow", "Due today" if days == 0 else f"Due in {days} day{pluralize(days)}"))
    return format_html_join(" ", '<strong class="govuk-tag govuk-tag--{}">{}</strong>', tags)
