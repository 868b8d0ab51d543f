"""The public-notice period (公示期): a number of working days, by the State Council's calendar
(holidays and the 调休 weekends worked in their place, from the ``chinesecalendar`` package);
for a year the package does not know yet, weekends and the configured public holidays."""

import datetime
from collections.abc import Iterable

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def configured_holidays(values: Iterable[str] | None = None) -> set[datetime.date]:
    """settings.NOTICE_HOLIDAYS ("YYYY-MM-DD" strings) as dates. A typo must stop the
    deployment loudly rather than silently shorten every notice."""
    raw = settings.NOTICE_HOLIDAYS if values is None else values
    days = set()
    for value in raw:
        text = str(value).strip()
        if not text:
            continue
        try:
            days.add(datetime.date.fromisoformat(text))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"NOTICE_HOLIDAYS: {text!r} is not a date in the form YYYY-MM-DD"
            ) from exc
    return days


def is_working_day(day: datetime.date, holidays: set[datetime.date]) -> bool:
    """A configured holiday is always off (the override); otherwise the official calendar
    decides, and weekdays are working days in a year it has not published."""
    if day in holidays:
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def notice_period(
    start: datetime.date,
    working_days: int | None = None,
    holidays: set[datetime.date] | None = None,
) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of a notice starting on ``start``: it opens on the first
    working day from ``start`` on and closes on the N-th working day, that one included."""
    count = settings.NOTICE_WORKING_DAYS if working_days is None else working_days
    if count < 1:
        raise ImproperlyConfigured("NOTICE_WORKING_DAYS must be at least 1")
    off = configured_holidays() if holidays is None else holidays
    first = start
    while not is_working_day(first, off):
        first += datetime.timedelta(days=1)
    last, counted = first, 1
    while counted < count:
        last += datetime.timedelta(days=1)
        if is_working_day(last, off):
            counted += 1
    return first, last
