"""The progress pages with the test client: a reporter's entry page from opening to "entered,
on time", every refusal next to its field with nothing saved, late and locked days around
their moments (time zone included), two people on the same cell, on-behalf marks, the
manager's grid and a cell's history.

The World of tests/factories.py: P1{A1, D1{C11, C12}, D2{C21}}, P2{D3}; admin@P1,
manager@D1, reporter@C11, viewer@P1, reporter2@C12, admin2@P2. Campaign PRG (P1, active,
01/06–31/08/2022, deadline 16:30 in Asia/Ho_Chi_Minh, locked 3 days after) has three
indicators reported by communes: HS (ratio, flow), TK (ratio, stock), HN (count, flow).
The pages' clock is replaced (`clock.set("2022-06-10 15:00")`, local time); expected values
are worked out by hand.
"""

import html
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.db import db
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.progress import controllers
from campaigns.progress.models import Entry, EntryRevision
from campaigns.queries import campaign_by_code
from tests.factories import (
    enter_figures_for_test,
    local_moment,
    make_campaign,
    make_indicator,
)
from tests.pages import english

CODE = "PRG"
DAY = date(2022, 6, 10)
DAY_TEXT = "2022-06-10"


class Clock:
    """The pages' `utcnow`, set in local time."""

    def __init__(self):
        self.now = local_moment("2022-06-10 15:00")

    def set(self, local: str) -> None:
        self.now = local_moment(local)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    moment = Clock()
    monkeypatch.setattr(controllers, "utcnow", lambda: moment.now)
    return moment


@pytest.fixture
def ids(app, world) -> dict[str, int]:
    """Builds campaign PRG; the ids of the world's units and of the indicators by code."""
    with app.app_context():
        campaign = make_campaign(CODE, "P1", status=CampaignStatus.ACTIVE)
        options = {"unit_kinds": ["commune"]}
        indicators = [
            make_indicator(
                campaign,
                "HS",
                name="Tỷ lệ hồ sơ trực tuyến",
                numerator_label="Hồ sơ trực tuyến",
                denominator_label="Tổng số hồ sơ",
                **options,
            ),
            make_indicator(
                campaign,
                "TK",
                measure="stock",
                name="Tỷ lệ tài khoản",
                numerator_label="Tài khoản định danh",
                denominator_label="Dân số trưởng thành",
                **options,
            ),
            make_indicator(
                campaign, "HN", "count", name="Hội nghị", numerator_label="Số hội nghị", **options
            ),
        ]
        db.session.commit()
        return {**world.units, **{indicator.code: indicator.id for indicator in indicators}}


@pytest.fixture
def signed_in(login, clock, ids):
    """`signed_in("reporter")` → an English client of that user; the campaign exists."""
    return lambda username: english(login(username))


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


class FormReader(HTMLParser):
    """The fields of the POST form of a page, as a browser would send them unchanged."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attributes.get("name"):
            if attributes.get("type") == "checkbox" and "checked" not in attributes:
                return
            self.fields[attributes["name"]] = attributes.get("value") or ""
        if tag == "textarea":
            self.textarea = attributes.get("name")
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        if tag == "form":
            self.inside = False


def form_of(response, form_id: str = "entry-form") -> dict[str, str]:
    reader = FormReader(form_id)
    reader.feed(response.get_data(as_text=True))
    assert reader.fields, f"no form {form_id} on the page"
    return reader.fields


def name(prefix: str, ids: dict, unit: str, indicator: str) -> str:
    return f"{prefix}-{ids[unit]}-{ids[indicator]}"


def figures(ids: dict, unit: str, **cells) -> dict[str, str]:
    """{"HS": ("12", "30"), "HN": "2"} → the inputs of those cells of `unit`."""
    data = {}
    for indicator, value in cells.items():
        if isinstance(value, tuple):
            data[name("num", ids, unit, indicator)] = value[0]
            data[name("den", ids, unit, indicator)] = value[1]
        else:
            data[name("num", ids, unit, indicator)] = value
    return data


def entry_url(unit: str = "C11", day: str | None = DAY_TEXT) -> str:
    return f"/campaigns/{CODE}/progress/units/{unit}" + (f"?date={day}" if day else "")


def open_and_fill(client, unit: str, ids: dict, day: str = DAY_TEXT, **cells):
    """Open the entry page of the day, type the figures, return the form to send."""
    page = client.get(entry_url(unit, day))
    assert page.status_code == 200, text_of(page)[:500]
    return {**form_of(page), **figures(ids, unit, **cells)}


def section(response, indicator: str) -> str:
    """The text of one indicator's card on the entry page."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<section[^>]*id="indicator-{indicator}".*?</section>', body, re.S)
    assert match, f"no card for {indicator}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(0))))


def stored(app) -> dict[tuple[str, str, date], tuple]:
    """Every entry: (unit, indicator, day) → (numerator, denominator, revision, late)."""
    with app.app_context():
        return {
            (entry.unit.code, entry.indicator.code, entry.entry_date): (
                entry.numerator,
                entry.denominator,
                entry.revision,
                entry.late,
            )
            for entry in db.session.scalars(select(Entry))
        }


def revisions(app, unit: str, indicator: str, day: date = DAY) -> list[dict]:
    with app.app_context():
        statement = (
            select(EntryRevision)
            .join(Entry)
            .where(
                Entry.unit_id == unit_by_code(unit).id,
                Entry.entry_date == day,
                Entry.indicator.has(code=indicator),
            )
            .order_by(EntryRevision.revision)
        )
        return [
            {
                "old": (revision.old_numerator, revision.old_denominator),
                "new": (revision.numerator, revision.denominator),
                "by": revision.changed_by.username if revision.changed_by else None,
                "source": revision.source,
                "on_behalf": revision.on_behalf,
                "late": revision.late,
                "reason": revision.reason,
            }
            for revision in db.session.scalars(statement)
        ]


def seed(app, figures_by_cell: dict, at: str, by: str | None = None) -> None:
    with app.app_context():
        user = user_by_username(by) if by else None
        enter_figures_for_test(campaign_by_code(CODE), figures_by_cell, at=at, by=user)
        db.session.commit()


def entry_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Entry))


# --- the reporter's day ---------------------------------------------------------------------


def test_reporter_enters_todays_figures_from_the_campaign_page(app, signed_in, ids):
    client = signed_in("reporter")

    campaign_page = client.get(f"/campaigns/{CODE}")
    assert "Enter figures" in text_of(campaign_page)
    assert "Who reported" in text_of(campaign_page)
    start = client.get(f"/campaigns/{CODE}/progress")
    assert start.status_code == 302
    assert start.headers["Location"] == f"/campaigns/{CODE}/progress/units/C11"

    page = client.get(start.headers["Location"])
    assert page.status_code == 200
    text = text_of(page)
    assert "10/06/2022 · Not entered yet." in text  # today where the campaign runs
    for label in ("Hồ sơ trực tuyến", "Tổng số hồ sơ", "Tài khoản định danh", "Số hội nghị"):
        assert label in text
    body = page.get_data(as_text=True)
    # Five figure inputs (two ratios, one count), each with the phone's number keyboard.
    assert body.count('inputmode="numeric"') == 5
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert "on its behalf" not in text

    data = {
        **form_of(page),
        **figures(ids, "C11", HS=("12", "30"), TK=("1.080", "2.000"), HN="2"),
    }
    saved = client.post(entry_url("C11"), data=data)

    assert saved.status_code == 302
    after = client.get(saved.headers["Location"])
    assert "Figures of 10/06/2022 saved: 3 new, 0 changed." in text_of(after)
    assert "10/06/2022 · Entered at 15:00, on time." in text_of(after)
    assert stored(app) == {
        ("C11", "HS", DAY): (12, 30, 1, False),
        ("C11", "TK", DAY): (1080, 2000, 1, False),
        ("C11", "HN", DAY): (2, None, 1, False),
    }
    assert revisions(app, "C11", "HS") == [
        {
            "old": (None, None),
            "new": (12, 30),
            "by": "reporter",
            "source": "web",
            "on_behalf": False,
            "late": False,
            "reason": "",
        }
    ]
    # The form now holds what was saved and its revision.
    again = form_of(after)
    assert again[name("num", ids, "C11", "TK")] == "1080"
    assert again[name("seen", ids, "C11", "TK")] == "1"


def test_yesterdays_figures_are_shown_beside_the_inputs(app, signed_in, ids):
    seed(app, {("C11", "HS", date(2022, 6, 9)): (7, 21)}, at="2022-06-09 10:00")
    client = signed_in("reporter")

    page = client.get(entry_url("C11"))

    card = section(page, "HS")
    assert "Yesterday: 7" in card and "Yesterday: 21" in card
    assert "Yesterday: –" in section(page, "HN")


def test_saving_unchanged_figures_changes_nothing(app, signed_in, ids):
    seed(app, {("C11", "HS", DAY): (12, 30)}, at="2022-06-10 09:00", by="reporter")
    client = signed_in("reporter")

    response = client.post(entry_url("C11"), data=form_of(client.get(entry_url("C11"))))

    assert response.status_code == 302
    assert "Nothing has changed." in text_of(client.get(response.headers["Location"]))
    assert stored(app)[("C11", "HS", DAY)] == (12, 30, 1, False)


def test_a_day_entered_in_part_says_so(app, signed_in, ids):
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, HS=("12", "30"))  # TK and HN left empty
    response = client.post(entry_url("C11"), data=data)

    assert response.status_code == 302
    assert set(stored(app)) == {("C11", "HS", DAY)}
    text = text_of(client.get(entry_url("C11")))
    assert "1 of 3 indicators entered, the last at 15:00, on time." in text


# --- refusals: next to the field, nothing saved ---------------------------------------------


def test_numerator_above_denominator_refuses_the_whole_day(app, signed_in, ids):
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, HS=("31", "30"), TK=("40", "50"), HN="2")
    response = client.post(entry_url("C11"), data=data)

    assert response.status_code == 422
    assert "The numerator cannot be larger than the denominator." in section(response, "HS")
    assert "The numerator cannot be larger than the denominator." not in section(response, "TK")
    assert "Nothing was saved: correct the figures marked in red and save again." in text_of(
        response
    )
    assert entry_count(app) == 0  # TK and HN were fine, yet not saved either
    # What was typed stays in the form, to be corrected.
    again = form_of(response)
    assert again[name("num", ids, "C11", "HS")] == "31"
    assert again[name("num", ids, "C11", "TK")] == "40"


@pytest.mark.parametrize(
    ("numerator", "denominator", "field", "message"),
    [
        ("12,5", "30", "num", "Type a whole number, without decimals."),
        ("12.5", "30", "num", "Type a whole number, without decimals."),
        ("abc", "30", "num", "Type a whole number, without decimals."),
        ("-3", "30", "num", "A figure cannot be negative."),
        ("12", "-30", "den", "A figure cannot be negative."),
        ("", "30", "num", "Type a figure."),
        ("12", "", "den", "Type a figure."),
    ],
)
def test_figures_that_are_not_whole_numbers_are_refused(
    app, signed_in, ids, numerator, denominator, field, message
):
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, HS=(numerator, denominator), HN="2")
    response = client.post(entry_url("C11"), data=data)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    field_name = name(field, ids, "C11", "HS")
    # The message follows the very input it is about.
    pattern = rf'name="{field_name}"[^>]*>\s*<div class="invalid-feedback d-block field-error">'
    assert re.search(pattern + re.escape(html.escape(message, quote=False)), body), message
    assert entry_count(app) == 0


def test_clearing_a_saved_figure_is_refused(app, signed_in, ids):
    seed(app, {("C11", "HN", DAY): (2, None)}, at="2022-06-10 09:00", by="reporter")
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, HN="")
    response = client.post(entry_url("C11"), data=data)

    assert response.status_code == 422
    assert "Type a figure." in section(response, "HN")
    assert stored(app)[("C11", "HN", DAY)] == (2, None, 1, False)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2022-06-11", "Figures can be entered up to today, not for days to come."),
        ("2022-05-31", "The campaign starts on 01/06/2022."),
        ("2022-09-01", "The campaign ended on 31/08/2022."),
    ],
)
def test_a_day_outside_the_campaign_or_to_come_is_refused(app, signed_in, ids, day, message):
    client = signed_in("reporter")

    page = client.get(entry_url("C11", day))
    assert page.status_code == 200
    assert message in text_of(page)
    assert 'inputmode="numeric"' not in page.get_data(as_text=True)  # nothing to type into

    data = {"day": day, **figures(ids, "C11", HS=("12", "30"))}
    response = client.post(entry_url("C11", day), data=data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert entry_count(app) == 0


def test_the_last_day_up_to_today_is_accepted(app, signed_in, ids, clock):
    clock.set("2022-08-31 10:00")
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, day="2022-08-31", HN="1")
    response = client.post(entry_url("C11", "2022-08-31"), data=data)

    assert response.status_code == 302
    assert set(stored(app)) == {("C11", "HN", date(2022, 8, 31))}


def test_the_day_is_todays_date_where_the_campaign_runs(app, signed_in, ids, clock):
    # 17:30 UTC on 10/06 is already 00:30 on 11/06 in Ho Chi Minh City.
    clock.set("2022-06-11 00:30")
    client = signed_in("reporter")

    page = client.get(entry_url("C11", day=None))

    assert "11/06/2022 · Not entered yet." in text_of(page)
    assert form_of(page)["day"] == "2022-06-11"


def test_a_draft_or_closed_campaign_says_why_nothing_can_be_entered(app, signed_in, ids):
    client = signed_in("reporter")
    for status, message in (
        (CampaignStatus.DRAFT, "Campaign PRG has not started; figures open when it starts."),
        (CampaignStatus.CLOSED, "Campaign PRG is closed; its figures can no longer change."),
    ):
        with app.app_context():
            campaign_by_code(CODE).status = status
            db.session.commit()

        page = client.get(entry_url("C11"))
        assert message in text_of(page)
        assert 'inputmode="numeric"' not in page.get_data(as_text=True)
        response = client.post(
            entry_url("C11"), data={"day": DAY_TEXT, **figures(ids, "C11", HN="2")}
        )
        assert response.status_code == 422
        assert message in text_of(response)
    assert entry_count(app) == 0


# --- a lower stock level, an unusual figure -------------------------------------------------


def test_a_lower_stock_level_needs_a_note(app, signed_in, ids):
    seed(app, {("C11", "TK", date(2022, 6, 9)): (50, 60)}, at="2022-06-09 10:00")
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, TK=("45", "60"))
    assert name("note", ids, "C11", "TK") not in data  # no note field until it is needed
    refused = client.post(entry_url("C11"), data=data)

    assert refused.status_code == 422
    card = section(refused, "TK")
    assert "This level is below the 50/60 of 09/06/2022: write why in the note." in card
    assert "Note: why the level is lower" in card
    assert set(stored(app)) == {("C11", "TK", date(2022, 6, 9))}

    again = form_of(refused)
    again[name("note", ids, "C11", "TK")] = "Hai tài khoản trùng đã bị xoá"
    saved = client.post(entry_url("C11"), data=again)

    assert saved.status_code == 302
    assert stored(app)[("C11", "TK", DAY)] == (45, 60, 1, False)
    assert revisions(app, "C11", "TK")[0]["reason"] == "Hai tài khoản trùng đã bị xoá"


def test_an_equal_stock_level_needs_no_note(app, signed_in, ids):
    seed(app, {("C11", "TK", date(2022, 6, 9)): (50, 60)}, at="2022-06-09 10:00")
    client = signed_in("reporter")

    response = client.post(
        entry_url("C11"), data=open_and_fill(client, "C11", ids, TK=("50", "60"))
    )

    assert response.status_code == 302
    assert stored(app)[("C11", "TK", DAY)] == (50, 60, 1, False)


HISTORY = {
    ("C11", "HS", date(2022, 6, 7)): (10, 20),
    ("C11", "HS", date(2022, 6, 8)): (12, 24),
    ("C11", "HS", date(2022, 6, 9)): (11, 22),
}  # medians: numerator 11, denominator 22; ten times: 110 and 220


@pytest.mark.parametrize(
    ("numerator", "denominator", "asked"),
    [("110", "220", False), ("111", "220", True), ("110", "221", True)],
)
def test_a_figure_over_ten_times_the_usual_needs_confirmation(
    app, signed_in, ids, numerator, denominator, asked
):
    seed(app, HISTORY, at="2022-06-09 10:00")
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, HS=(numerator, denominator))
    response = client.post(entry_url("C11"), data=data)

    if not asked:
        assert response.status_code == 302
        assert stored(app)[("C11", "HS", DAY)][:2] == (int(numerator), int(denominator))
        return
    assert response.status_code == 422
    card = section(response, "HS")
    value = numerator if numerator == "111" else denominator
    assert f"{value} is more than ten times the usual figure of this unit" in card
    assert "This figure is right" in card
    assert ("C11", "HS", DAY) not in stored(app)

    confirmed = form_of(response)
    assert name("ok", ids, "C11", "HS") not in confirmed  # not ticked for the person
    confirmed[name("ok", ids, "C11", "HS")] = "1"
    saved = client.post(entry_url("C11"), data=confirmed)

    assert saved.status_code == 302
    assert stored(app)[("C11", "HS", DAY)][:2] == (int(numerator), int(denominator))


# --- late and locked ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "late", "words"),
    [
        ("2022-06-10 16:30", False, "Entered at 16:30, on time."),
        ("2022-06-10 16:31", True, "Entered at 16:31, late."),
    ],
)
def test_the_deadline_is_1630_local_time(app, signed_in, ids, clock, moment, late, words):
    clock.set(moment)
    # The pages' clock is UTC: 16:30 in Ho Chi Minh City (UTC+7) is 09:30 UTC.
    assert clock.now == datetime(2022, 6, 10, 9, int(moment[-2:]), tzinfo=UTC)
    client = signed_in("reporter")

    data = open_and_fill(client, "C11", ids, HS=("12", "30"), TK=("40", "50"), HN="2")
    response = client.post(entry_url("C11"), data=data)

    assert response.status_code == 302
    assert {value[3] for value in stored(app).values()} == {late}
    assert f"10/06/2022 · {words}" in text_of(client.get(entry_url("C11")))


def test_a_day_entered_on_a_later_day_is_late(app, signed_in, ids, clock):
    clock.set("2022-06-11 08:00")
    client = signed_in("reporter")

    response = client.post(entry_url("C11"), data=open_and_fill(client, "C11", ids, HN="2"))

    assert response.status_code == 302
    assert stored(app)[("C11", "HN", DAY)] == (2, None, 1, True)
    assert "entered, the last at 10/06/2022" not in text_of(client.get(entry_url("C11")))
    assert "the last at 11/06/2022 08:00, late." in text_of(client.get(entry_url("C11")))


LOCKED_DAY = "2022-06-05"  # locked from 08/06/2022 16:30 (deadline + 3 days)
LOCK_WORDS = "The figures of 05/06/2022 are locked since 08/06/2022 16:30"


@pytest.mark.parametrize(
    ("moment", "locked"), [("2022-06-08 16:30", False), ("2022-06-08 16:31", True)]
)
def test_a_day_locks_three_days_after_its_deadline(app, signed_in, ids, clock, moment, locked):
    clock.set(moment)
    client = signed_in("reporter")

    page = client.get(entry_url("C11", LOCKED_DAY))
    assert (LOCK_WORDS in text_of(page)) is locked
    data = {"day": LOCKED_DAY, **figures(ids, "C11", HN="2")}
    response = client.post(entry_url("C11", LOCKED_DAY), data=data)

    assert response.status_code == (422 if locked else 302)
    assert (("C11", "HN", date(2022, 6, 5)) in stored(app)) is not locked


@pytest.mark.parametrize("username", ["reporter", "manager"])
def test_a_locked_day_is_read_only_for_reporters_and_managers(app, signed_in, ids, username):
    seed(app, {("C11", "HN", date(2022, 6, 5)): (2, None)}, at="2022-06-05 10:00")
    client = signed_in(username)

    page = client.get(entry_url("C11", LOCKED_DAY))
    text = text_of(page)
    assert f"{LOCK_WORDS}; ask an administrator to correct them." in text
    assert 'inputmode="numeric"' not in page.get_data(as_text=True)
    assert "2" in section(page, "HN")

    data = {"day": LOCKED_DAY, "reason": "sai số", **figures(ids, "C11", HN="3")}
    response = client.post(entry_url("C11", LOCKED_DAY), data=data)

    assert response.status_code == 422
    assert f"{LOCK_WORDS}; ask an administrator to correct them." in text_of(response)
    assert stored(app)[("C11", "HN", date(2022, 6, 5))] == (2, None, 1, False)


def test_an_admin_corrects_a_locked_day_with_a_reason(app, signed_in, ids):
    seed(app, {("C11", "HN", date(2022, 6, 5)): (2, None)}, at="2022-06-05 10:00")
    client = signed_in("admin")

    page = client.get(entry_url("C11", LOCKED_DAY))
    assert f"{LOCK_WORDS}: give the reason for the correction." in text_of(page)
    assert "Reason for the correction" in text_of(page)
    data = {**form_of(page), **figures(ids, "C11", HN="3")}

    refused = client.post(entry_url("C11", LOCKED_DAY), data=data)
    assert refused.status_code == 422
    reason_field = re.search(
        r'id="reason-field".*?</div>\s*</div>', refused.get_data(as_text=True), re.S
    )
    assert "give the reason for the correction" in html.unescape(reason_field.group(0))
    assert stored(app)[("C11", "HN", date(2022, 6, 5))] == (2, None, 1, False)

    data["reason"] = "Xã báo cáo nhầm, đã xác minh"
    saved = client.post(entry_url("C11", LOCKED_DAY), data=data)

    assert saved.status_code == 302
    assert stored(app)[("C11", "HN", date(2022, 6, 5))] == (3, None, 2, False)
    latest = revisions(app, "C11", "HN", date(2022, 6, 5))[-1]
    assert latest["reason"] == "Xã báo cáo nhầm, đã xác minh"
    assert latest["by"] == "admin" and latest["on_behalf"] and latest["late"]


# --- two people, one cell; on behalf --------------------------------------------------------


def test_the_second_of_two_saves_is_refused_and_shows_the_first(app, signed_in, ids):
    reporter = signed_in("reporter")
    manager = signed_in("manager")
    reporters_form = open_and_fill(reporter, "C11", ids, HS=("12", "30"), HN="2")

    managers_form = open_and_fill(manager, "C11", ids, HS=("20", "40"))
    assert manager.post(entry_url("C11"), data=managers_form).status_code == 302

    refused = reporter.post(entry_url("C11"), data=reporters_form)

    assert refused.status_code == 422
    card = section(refused, "HS")
    assert (
        "manager saved 20/40 for this cell at 10/06/2022 15:00, after you opened the page. "
        "Check the figure and save again." in card
    )
    assert "Saved meanwhile: 20 / 40" in card
    assert stored(app) == {("C11", "HS", DAY): (20, 40, 1, False)}  # HN not saved either

    # Having seen the other figures, saving again is a deliberate change of them.
    again = reporter.post(entry_url("C11"), data=form_of(refused))
    assert again.status_code == 302
    assert stored(app) == {
        ("C11", "HS", DAY): (12, 30, 2, False),
        ("C11", "HN", DAY): (2, None, 1, False),
    }
    assert [r["by"] for r in revisions(app, "C11", "HS")] == ["manager", "reporter"]


def test_a_manager_enters_on_behalf_of_a_commune(app, signed_in, ids):
    client = signed_in("manager")

    page = client.get(entry_url("C12"))
    assert (
        "You are entering the figures of Xã Đức Quang on its behalf; they are recorded as such."
        in text_of(page)
    )
    response = client.post(entry_url("C12"), data={**form_of(page), **figures(ids, "C12", HN="4")})

    assert response.status_code == 302
    assert revisions(app, "C12", "HN")[0]["on_behalf"] is True
    assert revisions(app, "C12", "HN")[0]["by"] == "manager"


def test_a_viewer_reads_but_cannot_save(app, signed_in, ids):
    seed(app, {("C11", "HN", DAY): (2, None)}, at="2022-06-10 09:00")
    client = signed_in("viewer")

    page = client.get(entry_url("C11"))
    assert page.status_code == 200
    assert 'inputmode="numeric"' not in page.get_data(as_text=True)
    assert "2" in section(page, "HN")
    assert "Figures" in text_of(client.get(f"/campaigns/{CODE}"))
    assert "Enter figures" not in text_of(client.get(f"/campaigns/{CODE}"))

    response = client.post(entry_url("C11"), data={"day": DAY_TEXT, **figures(ids, "C11", HN="5")})

    assert response.status_code == 403
    assert stored(app)[("C11", "HN", DAY)] == (2, None, 1, False)


def test_a_reporter_cannot_save_for_another_commune(app, signed_in, ids):
    client = signed_in("reporter")

    response = client.post(entry_url("C12"), data={"day": DAY_TEXT, **figures(ids, "C12", HN="5")})

    assert response.status_code == 403
    assert entry_count(app) == 0


def test_an_admin_of_another_province_sees_nothing(app, signed_in, ids):
    client = signed_in("admin2")
    for path in (
        f"/campaigns/{CODE}/progress",
        entry_url("C11"),
        f"/campaigns/{CODE}/progress/grid/P1",
        f"/campaigns/{CODE}/progress/units/C11/history/HS/{DAY_TEXT}",
        f"/campaigns/{CODE}/progress/reports",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(entry_url("C11"), data={"day": DAY_TEXT}).status_code == 403


def test_unknown_things_are_not_found(app, signed_in, ids):
    client = signed_in("admin")
    for path in (
        "/campaigns/NOPE/progress",
        entry_url("C99"),
        f"/campaigns/{CODE}/progress/units/C11/history/NOPE/{DAY_TEXT}",
        f"/campaigns/{CODE}/progress/units/C11/history/HS/10-06-2022x",
        f"/campaigns/{CODE}/progress/units/D1/history/HS/{DAY_TEXT}",  # HS is for communes
    ):
        assert client.get(path).status_code == 404, path


# --- the manager's grid ---------------------------------------------------------------------


def grid_url(unit: str = "D1", day: str = DAY_TEXT, page: int | None = None) -> str:
    suffix = f"&page={page}" if page else ""
    return f"/campaigns/{CODE}/progress/grid/{unit}?date={day}{suffix}"


def missing_cells(response) -> set[str]:
    body = response.get_data(as_text=True)
    return set(
        re.findall(r'class="progress-cell table-warning cell-missing" id="cell-([\w-]+)"', body)
    )


def test_the_grid_highlights_missing_cells_and_saves_several_at_once(app, signed_in, ids):
    seed(app, {("C11", "HS", DAY): (12, 30)}, at="2022-06-10 09:00", by="reporter")
    client = signed_in("manager")

    start = client.get(f"/campaigns/{CODE}/progress")
    assert start.headers["Location"] == f"/campaigns/{CODE}/progress/grid/D1"
    page = client.get(grid_url())
    assert page.status_code == 200
    assert missing_cells(page) == {"C11-TK", "C11-HN", "C12-HS", "C12-TK", "C12-HN"}

    data = {
        **form_of(page, "grid-form"),
        **figures(ids, "C11", HN="1"),
        **figures(ids, "C12", HS=("5", "9"), HN="3"),
    }
    response = client.post(grid_url(), data=data)

    assert response.status_code == 302
    after = client.get(response.headers["Location"])
    assert "Figures of 10/06/2022 saved: 3 new, 0 changed." in text_of(after)
    assert missing_cells(after) == {"C11-TK", "C12-TK"}
    assert stored(app) == {
        ("C11", "HS", DAY): (12, 30, 1, False),
        ("C11", "HN", DAY): (1, None, 1, False),
        ("C12", "HS", DAY): (5, 9, 1, False),
        ("C12", "HN", DAY): (3, None, 1, False),
    }
    assert revisions(app, "C12", "HS")[0]["on_behalf"] is True


def test_a_bad_cell_in_the_grid_saves_nothing(app, signed_in, ids):
    client = signed_in("manager")
    page = client.get(grid_url())
    data = {
        **form_of(page, "grid-form"),
        **figures(ids, "C11", HN="1"),
        **figures(ids, "C12", HS=("10", "9")),
    }

    response = client.post(grid_url(), data=data)

    assert response.status_code == 422
    cell = re.search(r'id="cell-C12-HS".*?</td>', response.get_data(as_text=True), re.S).group(0)
    assert "The numerator cannot be larger than the denominator." in cell
    assert "table-danger" in re.search(
        r'<td class="[^"]*" id="cell-C12-HS"', response.get_data(as_text=True)
    ).group(0)
    assert entry_count(app) == 0


def test_the_grid_refuses_a_cell_changed_meanwhile(app, signed_in, ids):
    client = signed_in("manager")
    data = {**form_of(client.get(grid_url()), "grid-form"), **figures(ids, "C12", HN="3")}
    seed(app, {("C12", "HN", DAY): (4, None)}, at="2022-06-10 14:00", by="reporter2")

    response = client.post(grid_url(), data=data)

    assert response.status_code == 422
    cell = re.search(r'id="cell-C12-HN".*?</td>', response.get_data(as_text=True), re.S).group(0)
    assert "reporter2 saved 4 for this cell" in html.unescape(cell)
    assert stored(app)[("C12", "HN", DAY)] == (4, None, 1, False)


def test_the_grid_drills_down_and_pages_its_rows(app, signed_in, ids):
    client = signed_in("admin")

    top = client.get(grid_url("P1"))
    assert "Units below ›" in text_of(top)
    assert f'href="/campaigns/{CODE}/progress/grid/D1?date={DAY_TEXT}"' in top.get_data(
        as_text=True
    )
    app.config["PER_PAGE"] = 1
    first = client.get(grid_url("D1"))
    second = client.get(grid_url("D1", page=2))

    assert "row-C11" in first.get_data(as_text=True) and "row-C12" not in first.get_data(
        as_text=True
    )
    assert "row-C12" in second.get_data(as_text=True) and "row-C11" not in second.get_data(
        as_text=True
    )
    assert client.get(grid_url("D1", page=3)).status_code == 404


def test_a_reporter_sees_only_its_own_row_and_writes_it(app, signed_in, ids):
    client = signed_in("reporter")
    assert client.get(grid_url("D1")).status_code == 403

    page = client.get(grid_url("C11"))
    data = {**form_of(page, "grid-form"), **figures(ids, "C11", HN="2")}
    # A cell of another unit slipped into the form is not taken.
    data.update(figures(ids, "C12", HN="9"))

    assert client.post(grid_url("C11"), data=data).status_code == 302
    assert set(stored(app)) == {("C11", "HN", DAY)}


# --- history --------------------------------------------------------------------------------


def test_the_history_lists_every_revision_newest_first(app, signed_in, ids, clock):
    seed(app, {("C12", "HS", DAY): (5, 9)}, at="2022-06-10 09:00", by="reporter2")
    clock.set("2022-06-10 17:00")
    manager = signed_in("manager")
    data = open_and_fill(manager, "C12", ids, HS=("6", "9"))
    assert manager.post(entry_url("C12"), data=data).status_code == 302

    page = signed_in("viewer").get(f"/campaigns/{CODE}/progress/units/C12/history/HS/{DAY_TEXT}")

    assert page.status_code == 200
    rows = re.findall(r'<tr id="revision-(\d+)">(.*?)</tr>', page.get_data(as_text=True), re.S)
    assert [number for number, _row in rows] == ["2", "1"]
    newest = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", rows[0][1])))
    oldest = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", rows[1][1])))
    assert "10/06/2022 17:00 5 / 9 → 6 / 9 manager web page on behalf late" in newest
    assert "10/06/2022 09:00 – → 5 / 9 reporter2 demo data" in oldest
    assert "on behalf" not in oldest and "late" not in oldest


def test_the_entry_page_links_each_figure_to_its_history(app, signed_in, ids):
    seed(app, {("C11", "HN", DAY): (2, None)}, at="2022-06-10 09:00")
    page = signed_in("reporter").get(entry_url("C11"))

    assert f'href="/campaigns/{CODE}/progress/units/C11/history/HN/{DAY_TEXT}"' in page.get_data(
        as_text=True
    )


def test_a_cell_without_figures_has_an_empty_history(app, signed_in, ids):
    page = signed_in("reporter").get(f"/campaigns/{CODE}/progress/units/C11/history/HS/{DAY_TEXT}")

    assert page.status_code == 200
    assert "No figures have been entered for this day yet." in text_of(page)
