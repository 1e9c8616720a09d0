import datetime

import pytest

from actions.dates import add_calendar_months, default_due_date


@pytest.mark.parametrize(
    ("workshop_day", "due"),
    [
        (datetime.date(2012, 7, 4), datetime.date(2012, 10, 4)),
        (datetime.date(2013, 1, 31), datetime.date(2013, 4, 30)),
        (datetime.date(2013, 11, 30), datetime.date(2014, 2, 28)),
        (datetime.date(2015, 11, 30), datetime.date(2016, 2, 29)),
        (datetime.date(2015, 11, 29), datetime.date(2016, 2, 29)),
        (datetime.date(2014, 11, 28), datetime.date(2015, 2, 28)),
        (datetime.date(2012, 10, 31), datetime.date(2013, 1, 31)),
        (datetime.date(2012, 12, 31), datetime.date(2013, 3, 31)),
        (datetime.date(2013, 5, 31), datetime.date(2013, 8, 31)),
        (datetime.date(2013, 3, 31), datetime.date(2013, 6, 30)),
    ],
)
def test_default_due_date_is_three_calendar_months_after_the_workshop(workshop_day, due):
    assert default_due_date(workshop_day) == due


def test_adding_months_crosses_several_years():
    assert add_calendar_months(datetime.date(2012, 2, 29), 24) == datetime.date(2014, 2, 28)
    assert add_calendar_months(datetime.date(2012, 2, 29), 48) == datetime.date(2016, 2, 29)
