"""Working days in England: weekends and bank holidays from the maintained `holidays` calendar."""

import datetime
from functools import cache

import holidays


@cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (a note from Friday is due Monday for 1 day)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def latest_start_overdue_by(today: datetime.date, days: int) -> datetime.date:
    """The latest start date whose deadline of `days` working days fell before `today`."""
    start = today - datetime.timedelta(days=1)
    while add_working_days(start, days) >= today:
        start -= datetime.timedelta(days=1)
    return start
