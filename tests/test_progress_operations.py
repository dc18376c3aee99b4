"""save_entries: the one way figures are written. Every rule, with expectations by hand."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app.db import db
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.progress.models import Entry, EntryRevision, EntrySource
from campaigns.progress.operations import (
    CAMPAIGN_NOT_ACTIVE,
    CONFLICT,
    GIVEN_TWICE,
    LOCKED,
    NOT_APPLICABLE,
    OUT_OF_SCOPE,
    OUTSIDE_CAMPAIGN,
    EntryError,
    EntryInput,
    save_entries,
)
from campaigns.progress.rules import Problem
from campaigns.queries import campaign_by_code
from tests.factories import make_campaign, make_indicator

DAY = date(2022, 6, 10)
# 16:00 and 16:31 in Ho Chi Minh City (UTC+7) on DAY.
BEFORE_DEADLINE = datetime(2022, 6, 10, 9, 0, tzinfo=UTC)
AT_DEADLINE = datetime(2022, 6, 10, 9, 30, tzinfo=UTC)
AFTER_DEADLINE = datetime(2022, 6, 10, 9, 31, tzinfo=UTC)
# The campaign locks a day 3 days after its deadline: 13/06 16:30 local.
AFTER_LOCK = datetime(2022, 6, 13, 9, 31, tzinfo=UTC)


@pytest.fixture
def campaign(app, world, app_context):
    made = make_campaign("CD92", "P1", status=CampaignStatus.ACTIVE)
    make_indicator(made, "HS")  # ratio, flow, every kind
    make_indicator(made, "TK", kind="count", measure="stock", unit_kinds=["commune"])
    db.session.commit()
    return made


def user(name):
    return user_by_username(name)


def save(campaign, *inputs, by="reporter", now=BEFORE_DEADLINE, source=EntrySource.WEB):
    numbered = [
        EntryInput(**{**item.__dict__, "position": position})
        for position, item in enumerate(inputs)
    ]
    return save_entries(campaign, numbered, user=user(by) if by else None, source=source, now=now)


def refused(campaign, *inputs, **options) -> list[tuple]:
    with pytest.raises(EntryError) as raised:
        save(campaign, *inputs, **options)
    return [(problem.position, problem.field, problem.code) for problem in raised.value.problems]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_first_save_creates_the_entry_and_its_first_revision(campaign):
    summary = save(campaign, EntryInput("C11", "HS", DAY, "30", "100"))

    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 0)
    entry = summary.entries[0]
    assert (entry.numerator, entry.denominator, entry.revision, entry.late) == (30, 100, 1, False)
    [revision] = entry.revisions
    assert (revision.old_numerator, revision.old_denominator) == (None, None)
    assert (revision.numerator, revision.denominator, revision.revision) == (30, 100, 1)
    assert (revision.source, revision.on_behalf, revision.changed_by.username) == (
        "web",
        False,
        "reporter",
    )


def test_the_same_figures_again_change_nothing(campaign):
    save(campaign, EntryInput("C11", "HS", DAY, "30", "100"))
    summary = save(campaign, EntryInput("C11", "HS", DAY, "30", "100"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    assert count(EntryRevision) == 1


def test_a_correction_keeps_the_old_figures_in_a_new_revision(campaign):
    save(campaign, EntryInput("C11", "HS", DAY, "30", "100"), now=BEFORE_DEADLINE)
    summary = save(campaign, EntryInput("C11", "HS", DAY, "35", "100"), now=AFTER_DEADLINE)

    entry = summary.entries[0]
    assert (entry.numerator, entry.revision) == (35, 2)
    assert entry.late is False  # the first figures came on time
    old, new = entry.revisions
    assert (new.old_numerator, new.old_denominator, new.numerator, new.late) == (30, 100, 35, True)
    assert old.late is False


@pytest.mark.parametrize(
    ("now", "late"), [(AT_DEADLINE, False), (AFTER_DEADLINE, True)], ids=["16:30", "16:31"]
)
def test_late_after_the_deadline_in_local_time(campaign, now, late):
    entry = save(campaign, EntryInput("C11", "HS", DAY, "1", "2"), now=now).entries[0]
    assert entry.late is late
    assert entry.revisions[0].late is late


def test_a_manager_entering_for_a_commune_does_it_on_its_behalf(campaign):
    entry = save(campaign, EntryInput("C11", "HS", DAY, "1", "2"), by="manager").entries[0]
    assert entry.revisions[0].on_behalf is True
    assert entry.updated_by_id == user("manager").id


def test_one_bad_figure_keeps_the_whole_batch_out(campaign):
    problems = refused(
        campaign,
        EntryInput("C11", "HS", DAY, "30", "100"),
        EntryInput("C11", "TK", DAY, "2.212"),
        EntryInput("C11", "HS", date(2022, 6, 9), "101", "100"),
    )

    assert problems == [(2, "numerator", Problem.ABOVE_DENOMINATOR)]
    assert count(Entry) == count(EntryRevision) == 0


@pytest.mark.parametrize(
    ("by", "unit", "code"),
    [
        ("reporter", "C12", OUT_OF_SCOPE),  # another commune
        ("viewer", "C11", OUT_OF_SCOPE),  # leaders read only
        ("manager", "C21", OUT_OF_SCOPE),  # another district's commune
        ("admin2", "C11", OUT_OF_SCOPE),  # another province
        ("admin", "D3", OUTSIDE_CAMPAIGN),  # not under the campaign's owner
    ],
)
def test_figures_only_for_units_in_reach_and_in_the_campaign(campaign, by, unit, code):
    problems = refused(campaign, EntryInput(unit, "HS", DAY, "1", "2"), by=by)
    assert problems == [(0, "unit", code)]


def test_an_indicator_is_entered_only_by_the_kinds_it_applies_to(campaign):
    problems = refused(campaign, EntryInput("D1", "TK", DAY, "5"), by="manager")
    assert problems == [(0, "indicator", NOT_APPLICABLE)]


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED])
def test_figures_only_while_the_campaign_runs(campaign, status):
    campaign.status = status
    problems = refused(campaign, EntryInput("C11", "HS", DAY, "1", "2"))
    assert problems == [(None, None, CAMPAIGN_NOT_ACTIVE)]


def test_the_same_cell_twice_in_one_batch_is_refused(campaign):
    problems = refused(
        campaign,
        EntryInput("C11", "HS", DAY, "1", "2"),
        EntryInput("C11", "HS", DAY, "1", "3"),
    )
    assert problems == [(1, None, GIVEN_TWICE)]


def test_a_cell_saved_by_someone_else_meanwhile_is_not_overwritten(campaign):
    # Both opened the empty cell (revision 0); the manager saved first.
    save(campaign, EntryInput("C11", "HS", DAY, "30", "100", seen_revision=0), by="manager")

    with pytest.raises(EntryError) as raised:
        save(campaign, EntryInput("C11", "HS", DAY, "31", "100", seen_revision=0))

    [problem] = raised.value.problems
    assert problem.code == CONFLICT
    assert (problem.current.numerator, problem.current.denominator) == (30, 100)
    assert "30/100" in problem.message
    assert campaign_by_code("CD92") is not None
    entry = db.session.scalar(select(Entry))
    assert (entry.numerator, entry.revision) == (30, 1)
    # Having seen revision 1, the reporter's correction goes through.
    save(campaign, EntryInput("C11", "HS", DAY, "31", "100", seen_revision=1))
    assert entry.revision == 2


@pytest.mark.parametrize("by", ["reporter", "manager"])
def test_a_locked_day_refuses_everyone_but_an_admin(campaign, by):
    save(campaign, EntryInput("C11", "HS", DAY, "30", "100"))
    problems = refused(campaign, EntryInput("C11", "HS", DAY, "31", "100"), by=by, now=AFTER_LOCK)
    assert problems == [(0, None, LOCKED)]


def test_an_admin_corrects_a_locked_day_only_with_a_reason(campaign):
    save(campaign, EntryInput("C11", "HS", DAY, "30", "100"))
    problems = refused(
        campaign, EntryInput("C11", "HS", DAY, "31", "100"), by="admin", now=AFTER_LOCK
    )
    assert problems == [(0, "reason", LOCKED)]

    entry = save(
        campaign,
        EntryInput("C11", "HS", DAY, "31", "100", reason="Xã báo nhầm, đã xác minh"),
        by="admin",
        now=AFTER_LOCK,
    ).entries[0]
    assert entry.revisions[-1].reason == "Xã báo nhầm, đã xác minh"


def test_an_unchanged_locked_day_is_no_problem(campaign):
    save(campaign, EntryInput("C11", "HS", DAY, "30", "100"))
    summary = save(campaign, EntryInput("C11", "HS", DAY, "30", "100"), now=AFTER_LOCK)
    assert summary.unchanged == 1


def test_a_lower_stock_level_needs_a_reason(campaign):
    save(campaign, EntryInput("C11", "TK", date(2022, 6, 9), "2.212"))
    problems = refused(campaign, EntryInput("C11", "TK", DAY, "2.200"))
    assert problems == [(0, "reason", Problem.STOCK_DECREASE)]

    entry = save(
        campaign, EntryInput("C11", "TK", DAY, "2.200", reason="Loại 12 tài khoản trùng")
    ).entries[0]
    assert entry.numerator == 2200


def test_a_figure_ten_times_the_usual_one_must_be_confirmed(campaign):
    for day in (7, 8, 9):
        save(campaign, EntryInput("C11", "HS", date(2022, 6, day), "20", "30"))

    # 300 is exactly ten times the median of 30: accepted; 3.000 (typed for 30) is not.
    assert save(campaign, EntryInput("C11", "HS", DAY, "20", "300")).created == 1
    problems = refused(
        campaign,
        EntryInput("C11", "HS", date(2022, 6, 11), "20", "3.000"),
        now=datetime(2022, 6, 11, 9, 0, tzinfo=UTC),
    )
    assert problems == [(0, "denominator", Problem.OUTLIER)]

    confirmed = save(
        campaign,
        EntryInput("C11", "HS", date(2022, 6, 11), "20", "3.000", confirmed=True),
        now=datetime(2022, 6, 11, 9, 0, tzinfo=UTC),
    )
    assert confirmed.entries[0].denominator == 3000


def test_the_demo_writes_as_the_system(campaign):
    entry = save(
        campaign, EntryInput("C11", "HS", DAY, "1", "2"), by=None, source=EntrySource.DEMO
    ).entries[0]
    revision = entry.revisions[0]
    assert (revision.changed_by_id, revision.on_behalf, revision.source) == (None, False, "demo")
