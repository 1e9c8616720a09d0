from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def due_tags(action, today=None):
    """The tags beside an action's due date: awaiting acceptance, then overdue or due soon.
    Python, not an include: the list of actions shows them on every row."""
    today = today or timezone.localdate()
    tags = []
    if action.is_awaiting_acceptance:
        tags.append(("blue", _("Awaiting acceptance")))
    if action.is_overdue(today):
        tags.append(("red", _("Overdue")))
    elif action.is_due_soon(today):
        days = action.days_until_due(today)
        due_in = ngettext("Due in %(days)d day", "Due in %(days)d days", days) % {"days": days}
        tags.append(("yellow", _("Due today") if days == 0 else due_in))
    return format_html_join(" ", '<strong class="govuk-tag govuk-tag--{}">{}</strong>', tags)
