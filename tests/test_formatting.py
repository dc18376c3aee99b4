from datetime import UTC, date, datetime

import pytest

from app.formatting import format_date, format_datetime, format_number, search_key


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (54786, "vi", "54.786"),
        (54786, "en", "54,786"),
        (1080, "vi", "1.080"),
        (999, "vi", "999"),
        (0, "vi", "0"),
        (85.5, "vi", "85,5"),
        (85.5, "en", "85.5"),
        (None, "vi", "–"),
    ],
)
def test_numbers_follow_the_locale(value, locale, expected):
    assert format_number(value, locale) == expected


def test_dates_are_day_month_year():
    assert format_date(date(2022, 7, 29)) == "29/07/2022"
    assert format_date(None) == "–"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Ho Chi Minh City is UTC+7 all year: 16:59 UTC is still the same day, 17:00 is not.
        (datetime(2022, 7, 28, 16, 59, tzinfo=UTC), "28/07/2022 23:59"),
        (datetime(2022, 7, 28, 17, 0, tzinfo=UTC), "29/07/2022 00:00"),
    ],
)
def test_timestamps_are_shown_in_local_time(utc, expected):
    assert format_datetime(utc, "Asia/Ho_Chi_Minh") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Huyện Bù Đốp", "huyen bu dop"),
        ("Thị trấn  Thanh Bình", "thi tran thanh binh"),
        ("ĐỨC HỢP", "duc hop"),
        ("Xã Đắk Ơ", "xa dak o"),
    ],
)
def test_search_key_drops_accents_case_and_extra_spaces(text, expected):
    assert search_key(text) == expected
