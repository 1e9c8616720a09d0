"""Dates and times as people read them on the service's pages."""

from django import template
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import time as format_time
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

# Django's Welsh catalogue spells July "Gorffenaf"; ours, which comes first, has "Gorffennaf".
gettext_noop("July")


@register.filter
def when(moment, time_format="TIME_FORMAT"):
    """A moment as its time alone ("14:35") when it is today, and with its date otherwise
    ("4 July 2012 at 14:35", in Welsh "4 Gorffennaf 2012 am 14:35"), so that times from
    different days are never side by side looking alike."""
    if not moment:
        return ""
    shown = format_time(moment, time_format)
    if timezone.localtime(moment).date() == timezone.localdate():
        return shown
    return _("%(date)s at %(time)s") % {"date": format_date(moment, "DATE_FORMAT"), "time": shown}
