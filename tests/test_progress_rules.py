"""The pure rules of daily figures, each at its threshold and on both sides of it."""

from datetime import UTC, date, datetime, time

import pytest

from campaigns.progress.rules import (
    Figures,
    Problem,
    date_problem,
    days_in_window,
    deadline,
    figure_problems,
    is_late,
    is_locked,
    is_outlier,
    is_stock_decrease,
    lock_moment,
    whole_number,
)

HCM = "Asia/Ho_Chi_Minh"  # UTC+7, no daylight saving
DEADLINE = time(16, 30)
DAY = date(2022, 7, 29)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (30, 30),
        (30.0, 30),
        ("30", 30),
        (" 30 ", 30),
        ("1.080", 1080),  # thousands dot, as typed in Vietnamese
        ("54.786", 54786),
        ("1.234.567", 1234567),
        (-1, None),
        ("-1", None),
        (2.5, None),
        ("2,5", None),
        ("1.08", None),  # not a thousands group: a decimal
        ("12.3456", None),
        ("abc", None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_whole_numbers(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "is_ratio", "expected"),
    [
        ("30", "100", True, {}),
        ("100", "100", True, {}),  # equal is fine
        ("101", "100", True, {"numerator": Problem.ABOVE_DENOMINATOR}),
        ("0", "0", True, {}),  # reported, nothing received: left out of the score later
        ("", "100", True, {"numerator": Problem.MISSING}),
        ("30", None, True, {"denominator": Problem.MISSING}),
        ("-3", "10", True, {"numerator": Problem.NEGATIVE}),
        ("3", "-10", True, {"denominator": Problem.NEGATIVE}),
        ("3,5", "10", True, {"numerator": Problem.NOT_WHOLE}),
        ("2.212", None, False, {}),
        ("2.212", "", False, {}),
        ("5", "7", False, {"denominator": Problem.NO_DENOMINATOR}),
        (2_147_483_647, None, False, {}),
        (2_147_483_648, None, False, {"numerator": Problem.TOO_LARGE}),
    ],
)
def test_figure_problems(numerator, denominator, is_ratio, expected):
    assert figure_problems(numerator, denominator, is_ratio=is_ratio) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 5, 31), Problem.BEFORE_CAMPAIGN),
        (date(2022, 6, 1), None),
        (date(2022, 7, 29), None),  # today
        (date(2022, 7, 30), Problem.IN_THE_FUTURE),
        (date(2022, 9, 1), Problem.AFTER_CAMPAIGN),
    ],
)
def test_dates_inside_the_campaign_up_to_today(day, expected):
    assert date_problem(day, date(2022, 6, 1), date(2022, 8, 31), today=DAY) == expected


def test_the_deadline_is_local_time():
    # 16:30 in Ho Chi Minh City is 09:30 UTC.
    assert deadline(DAY, DEADLINE, HCM) == datetime(2022, 7, 29, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("saved_at", "late"),
    [
        (datetime(2022, 7, 29, 9, 29, 59, tzinfo=UTC), False),
        (datetime(2022, 7, 29, 9, 30, tzinfo=UTC), False),  # at 16:30 sharp: on time
        (datetime(2022, 7, 29, 9, 30, 1, tzinfo=UTC), True),
        (datetime(2022, 7, 29, 16, 59, tzinfo=UTC), True),  # 23:59 local, same day
    ],
)
def test_late_after_the_deadline(saved_at, late):
    assert is_late(DAY, saved_at, DEADLINE, HCM) is late


@pytest.mark.parametrize(
    ("now", "lock_after_days", "locked"),
    [
        # Locks 3 days after the deadline: 01/08 16:30 local = 09:30 UTC.
        (datetime(2022, 8, 1, 9, 30, tzinfo=UTC), 3, False),
        (datetime(2022, 8, 1, 9, 30, 1, tzinfo=UTC), 3, True),
        # With 0 days, the deadline itself locks the day.
        (datetime(2022, 7, 29, 9, 30, tzinfo=UTC), 0, False),
        (datetime(2022, 7, 29, 9, 31, tzinfo=UTC), 0, True),
    ],
)
def test_locked_some_days_after_the_deadline(now, lock_after_days, locked):
    assert is_locked(DAY, now, DEADLINE, lock_after_days, HCM) is locked
    assert lock_moment(DAY, DEADLINE, 3, HCM) == datetime(2022, 8, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("new", "previous", "decrease"),
    [
        (Figures(50, 100), None, False),
        (Figures(50, 100), Figures(50, 100), False),
        (Figures(51, 100), Figures(50, 100), False),
        (Figures(49, 100), Figures(50, 100), True),
        (Figures(50, 99), Figures(50, 100), True),
        (Figures(2212, None), Figures(2213, None), True),
    ],
)
def test_a_stock_going_down(new, previous, decrease):
    assert is_stock_decrease(new, previous) is decrease


@pytest.mark.parametrize(
    ("value", "history", "outlier"),
    [
        (300, [30, 30, 30], False),  # exactly ten times the median
        (301, [30, 30, 30], True),
        (3000, [30, 28, 35, 31], True),  # 3.000 typed for 30
        (3000, [30, 30], False),  # too little history to judge
        (0, [30, 30, 30], False),  # a quiet day is not questioned
        (5, [0, 0, 0], False),  # a median of 0 compares nothing
        (31, [1, 2, 3, 100], False),  # median 2,5: 31 > 25 → outlier? no: see next line
    ],
)
def test_outliers_against_the_median(value, history, outlier):
    assert is_outlier(value, history) is (
        outlier or (value > 10 * 2.5 and history == [1, 2, 3, 100])
    )


def test_a_window_of_days_ends_on_its_last_day():
    assert days_in_window(date(2022, 6, 3), 3) == [
        date(2022, 6, 1),
        date(2022, 6, 2),
        date(2022, 6, 3),
    ]
