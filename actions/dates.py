import calendar
import datetime

FOLLOW_UP_MONTHS = 3


def add_calendar_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, or that month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def default_due_date(workshop_date: datetime.date) -> datetime.date:
    """Owners report within 3 calendar months of the workshop (31 January -> 30 April)."""
    return add_calendar_months(workshop_date, FOLLOW_UP_MONTHS)
