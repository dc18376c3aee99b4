"""Campaign tasks: creating them for one, many or every unit of a kind, reporting progress,
the evidence requirement, overdue at its boundary, forwarding and its completion counts, taking
an assignment back, and what each reader sees in the lists.

The world (tests/factories.py): P1{A1, D1{C11, C12}, D2{C21}}, P2{D3}; admin@P1, manager@D1,
reporter@C11, viewer@P1, reporter2@C12, admin2@P2. Campaign "TASKS" is owned by P1.
"""

import io
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import campaigns.tasks.controllers as task_controllers
from app.db import db
from app.units.queries import unit_by_code
from app.users.models import User
from campaigns.models import Campaign, CampaignStatus
from campaigns.operations import CampaignError
from campaigns.tasks import queries
from campaigns.tasks.models import Task, TaskAssignment, TaskStatus, TaskUpdate
from campaigns.tasks.operations import (
    OwnerChoice,
    TaskError,
    create_task,
    forward_assignment,
    remove_assignment,
    update_task,
)
from campaigns.tasks.rules import (
    Completion,
    completion,
    is_overdue,
    parse_unit_codes,
)
from tests.factories import make_campaign, make_report, make_task, make_units, png_bytes
from tests.pages import english

DUE = date(2022, 6, 30)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def campaign_by(code: str = "TASKS") -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.code == code))


def assignment(task_id: int, unit_code: str) -> TaskAssignment:
    return db.session.scalar(
        select(TaskAssignment).where(
            TaskAssignment.task_id == task_id,
            TaskAssignment.unit_id == unit_by_code(unit_code).id,
        )
    )


def assigned_codes(task_id: int) -> set[str]:
    return {
        row.unit.code
        for row in db.session.scalars(
            select(TaskAssignment).where(TaskAssignment.task_id == task_id)
        )
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def campaign(app: Flask, world) -> int:
    with app.app_context():
        campaign = make_campaign("TASKS", "P1", status=CampaignStatus.ACTIVE)
        db.session.commit()
        return campaign.id


@pytest.fixture
def english_context(app: Flask):
    """An application context whose messages are in English, whatever the catalog holds."""
    with app.app_context(), force_locale("en"):
        yield


@pytest.fixture
def today_is(monkeypatch):
    """Pin the pages' today (app.clock.local_today as imported by the task controllers)."""

    def pin(day: date) -> None:
        monkeypatch.setattr(task_controllers, "local_today", lambda: day)

    return pin


def new_task(app: Flask, owners: tuple[str, ...], title: str = "Hội nghị", due: date = DUE) -> int:
    with app.app_context():
        task = make_task(campaign_by(), title, owners, due=due)
        db.session.commit()
        return task.id


# Rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (TaskStatus.TODO, DUE - timedelta(days=1), False),
        (TaskStatus.TODO, DUE, False),  # due today: not yet overdue
        (TaskStatus.TODO, DUE + timedelta(days=1), True),  # due yesterday: overdue
        (TaskStatus.IN_PROGRESS, DUE + timedelta(days=1), True),
        (TaskStatus.DONE, DUE + timedelta(days=30), False),  # done is never overdue
    ],
)
def test_overdue_starts_the_day_after_the_due_date(status, today, expected):
    assert is_overdue(status, DUE, today) is expected


def test_completion_counts_done_and_overdue():
    late, early = DUE - timedelta(days=1), DUE + timedelta(days=1)
    statuses = [
        (TaskStatus.DONE, late),
        (TaskStatus.DONE, early),
        (TaskStatus.TODO, late),
        (TaskStatus.IN_PROGRESS, late),
        (TaskStatus.TODO, early),
    ]

    result = completion(statuses, today=DUE)

    # done: 2 of 5; overdue: the two not done whose due date (the day before) has passed.
    assert result == Completion(done=2, total=5, overdue=2)
    assert result.fraction == 0.4
    assert not result.complete
    assert completion([], DUE) == Completion(0, 0, 0)
    assert completion([], DUE).fraction is None
    assert completion([(TaskStatus.DONE, DUE)], DUE).complete


def test_unit_codes_are_split_on_commas_spaces_and_lines_and_kept_once():
    assert parse_unit_codes("693, 694;695\n693  696\t") == ["693", "694", "695", "696"]
    assert parse_unit_codes("  ") == []


# Creating tasks ----------------------------------------------------------------------------


def test_a_task_for_one_unit(app, campaign, english_context):
    admin = user("admin")
    task = create_task(
        campaign_by(),
        title="  Hội nghị tuyên truyền  ",
        description="12 hội nghị",
        due_date=DUE,
        owners=OwnerChoice.from_text("units", "C11"),
        by=admin,
    )

    assert task.title == "Hội nghị tuyên truyền"
    assert [(row.unit.code, row.status, row.parent_id) for row in task.assignments] == [
        ("C11", TaskStatus.TODO, None)
    ]
    assert task.assignments[0].assigned_by_id == admin.id


def test_a_task_for_many_units_keeps_each_unit_once(app, campaign, english_context):
    task = create_task(
        campaign_by(),
        title="Tổ công nghệ số",
        due_date=DUE,
        owners=OwnerChoice.from_text("units", "C11, D2 A1\nC11"),
        by=None,
    )

    assert [row.unit.code for row in task.assignments] == ["C11", "D2", "A1"]


@pytest.mark.parametrize(
    ("kind", "under", "expected"),
    [
        ("commune", "P1", {"C11", "C12", "C21"}),  # every commune of the province
        ("commune", "D1", {"C11", "C12"}),
        ("district", "P1", {"D1", "D2"}),
    ],
)
def test_a_task_for_every_unit_of_a_kind_below_a_unit(
    app, campaign, english_context, kind, under, expected
):
    task = create_task(
        campaign_by(),
        title="Tổ công nghệ số",
        due_date=DUE,
        owners=OwnerChoice.from_text("kind", kind=kind, under_code=under),
        by=None,
    )

    assert {row.unit.code for row in task.assignments} == expected


@pytest.mark.parametrize(
    ("owners", "field", "message"),
    [
        (OwnerChoice.from_text("units", ""), "unit_codes", "Give at least one unit code."),
        (OwnerChoice.from_text("units", "C11 X9"), "unit_codes", "No unit has the code “X9”."),
        (OwnerChoice.from_text("units", "C11, D3"), "unit_codes", "Huyện Ba (D3)"),
        (OwnerChoice.from_text("kind", kind="commune", under_code="P2"), "under_code", "(P2)"),
        (OwnerChoice.from_text("kind", kind="commune", under_code="X9"), "under_code", "X9"),
        (OwnerChoice.from_text("kind", kind="", under_code="P1"), "kind", "kind"),
        (OwnerChoice.from_text("kind", kind="village", under_code="P1"), "kind", "Tỉnh Một"),
        (OwnerChoice.from_text("kind", kind="commune", under_code="C11"), "kind", "Xã Đức Trung"),
        (OwnerChoice.from_text("everyone"), "owner_mode", "owner"),
    ],
)
def test_bad_owners_are_refused_and_nothing_is_stored(
    app, campaign, english_context, owners, field, message
):
    with pytest.raises(TaskError) as refused:
        create_task(campaign_by(), title="Hội nghị", due_date=DUE, owners=owners, by=None)

    assert refused.value.field == field
    assert message in refused.value.message
    assert count(Task) == 0
    assert count(TaskAssignment) == 0


def test_the_owner_unit_itself_may_hold_a_task(app, campaign, english_context):
    task = make_task(campaign_by(), "Báo cáo tổng kết", ("P1",))
    assert [row.unit.code for row in task.assignments] == ["P1"]


@pytest.mark.parametrize(
    ("title", "due", "field"), [("  ", DUE, "title"), ("Hội nghị", None, "due_date")]
)
def test_a_task_needs_a_title_and_a_due_date(app, campaign, english_context, title, due, field):
    with pytest.raises(TaskError) as refused:
        create_task(
            campaign_by(), title=title, due_date=due, owners=OwnerChoice("units", ("C11",)), by=None
        )
    assert refused.value.field == field
    assert count(Task) == 0


def test_a_closed_campaign_is_read_only(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("D1",))
    row = task.assignments[0]
    campaign_by().status = CampaignStatus.CLOSED
    db.session.flush()
    manager = user("manager")

    attempts = [
        lambda: make_task(campaign_by(), "Khác", ("C11",)),
        lambda: update_task(task, title="Đổi", due_date=DUE, by=None),
        lambda: make_report(row, status=TaskStatus.DONE, note="xong"),
        lambda: forward_assignment(row, by=manager, mode="all"),
        lambda: remove_assignment(row),
    ]
    for attempt in attempts:
        with pytest.raises(CampaignError, match="closed"):
            attempt()
    assert (count(Task), count(TaskAssignment), count(TaskUpdate)) == (1, 1, 0)
    assert task.title == "Hội nghị"


def test_admin_creates_a_task_on_the_page(app, campaign, login):
    client = english(login("admin"))

    response = client.post(
        "/campaigns/TASKS/tasks/new",
        data={
            "title": "Hội nghị tuyên truyền",
            "description": "Mỗi xã một hội nghị",
            "due_date": "30/06/2022",
            "owner_mode": "kind",
            "kind": "commune",
            "under_code": "D1",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        task = db.session.scalar(select(Task))
        assert (task.title, task.due_date) == ("Hội nghị tuyên truyền", DUE)
        assert assigned_codes(task.id) == {"C11", "C12"}
        assert response.headers["Location"] == f"/campaigns/TASKS/tasks/{task.id}"
    page = text(client.get(response.headers["Location"]))
    assert "Xã Đức Trung" in page and "Xã Đức Quang" in page
    assert "0/2 done" in page


def test_a_bad_task_form_is_answered_422_with_the_reason_and_stores_nothing(app, campaign, login):
    client = english(login("admin"))

    response = client.post(
        "/campaigns/TASKS/tasks/new",
        data={
            "title": "Hội nghị",
            "due_date": "2022-06-30",
            "owner_mode": "units",
            "unit_codes": "C11 D3",
        },
    )
    bad_date = client.post(
        "/campaigns/TASKS/tasks/new",
        data={"title": "Hội nghị", "due_date": "31/02/2022", "unit_codes": "C11"},
    )

    assert response.status_code == 422
    assert "Not among the units of the campaign" in text(response)
    assert "Huyện Ba (D3)" in text(response)
    assert bad_date.status_code == 422
    assert "Give the date as dd/mm/yyyy." in text(bad_date)
    with app.app_context():
        assert count(Task) == 0


@pytest.mark.parametrize("username", ["manager", "reporter", "viewer", "admin2"])
def test_only_who_configures_the_campaign_creates_tasks(app, campaign, login, username):
    response = login(username).post(
        "/campaigns/TASKS/tasks/new",
        data={"title": "Hội nghị", "due_date": "2022-06-30", "unit_codes": "C11"},
    )

    assert response.status_code == 403
    with app.app_context():
        assert count(Task) == 0


def test_admin_edits_a_task_and_gives_it_to_more_units(app, campaign, login):
    task_id = new_task(app, ("C11",))
    client = english(login("admin"))

    edit_page = client.get(f"/campaigns/TASKS/tasks/{task_id}/edit")
    saved = client.post(
        f"/campaigns/TASKS/tasks/{task_id}/edit",
        data={
            "title": "Hội nghị (sửa)",
            "due_date": "2022-07-15",
            "owner_mode": "kind",
            "kind": "commune",
            "under_code": "P1",
        },
    )
    again = client.post(
        f"/campaigns/TASKS/tasks/{task_id}/edit",
        data={
            "title": "Khác",
            "due_date": "2022-07-15",
            "owner_mode": "units",
            "unit_codes": "C12",
        },
    )

    assert edit_page.status_code == 200
    assert 'value="2022-06-30"' in edit_page.get_data(as_text=True)
    assert saved.status_code == 302
    assert again.status_code == 422
    assert "Already assigned this task: Xã Đức Quang (C12)." in text(again)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert (task.title, task.due_date) == ("Hội nghị (sửa)", date(2022, 7, 15))
        # C11 already had it; C12 and C21 are added.
        assert assigned_codes(task_id) == {"C11", "C12", "C21"}


def test_a_closed_campaign_offers_no_task_form(app, campaign, login):
    task_id = new_task(app, ("C11",))
    with app.app_context():
        campaign_by().status = CampaignStatus.CLOSED
        db.session.commit()
    client = english(login("admin"))

    new_page = client.get("/campaigns/TASKS/tasks/new")
    report = client.post(
        f"/campaigns/TASKS/tasks/{task_id}/units/C11/updates", data={"status": "done"}
    )
    assignment_page = text(client.get(f"/campaigns/TASKS/tasks/{task_id}/units/C11"))

    assert new_page.status_code == 302
    assert report.status_code == 422
    assert "The campaign is closed; nothing in it can change." in text(report)
    assert "Report progress" not in assignment_page
    assert "can be read but no longer changed" in assignment_page
    with app.app_context():
        assert count(TaskUpdate) == 0


# Reporting progress ------------------------------------------------------------------------


def test_status_flow_keeps_every_report_in_order(app, campaign, login):
    task_id = new_task(app, ("C11",))
    client = english(login("reporter"))
    url = f"/campaigns/TASKS/tasks/{task_id}/units/C11"

    steps = [
        {"status": "in_progress", "note": "Đã lên kế hoạch"},
        {"status": "done", "note": "Đã tổ chức 12 hội nghị"},
        {"status": "in_progress", "note": "Còn thiếu biên bản"},
        {"status": "in_progress", "note": "Đã bổ sung biên bản"},
    ]
    answers = [client.post(url + "/updates", data=step).status_code for step in steps[:2]]
    with app.app_context():
        done = assignment(task_id, "C11")
        assert (done.status, done.completed_at is not None) == (TaskStatus.DONE, True)
    answers += [client.post(url + "/updates", data=step).status_code for step in steps[2:]]

    assert answers == [302, 302, 302, 302]
    with app.app_context():
        row = assignment(task_id, "C11")
        assert (row.status, row.completed_at) == (TaskStatus.IN_PROGRESS, None)
        updates = queries.updates_of(row)
        assert [(u.status_before, u.status_after, u.note) for u in updates] == [
            (TaskStatus.TODO, TaskStatus.IN_PROGRESS, "Đã lên kế hoạch"),
            (TaskStatus.IN_PROGRESS, TaskStatus.DONE, "Đã tổ chức 12 hội nghị"),
            (TaskStatus.DONE, TaskStatus.IN_PROGRESS, "Còn thiếu biên bản"),
            (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS, "Đã bổ sung biên bản"),
        ]
        assert {u.author.username for u in updates} == {"reporter"}
    page = text(client.get(url))
    positions = [page.index(step["note"]) for step in steps]
    assert positions == sorted(positions)


def test_a_report_is_never_edited(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("C11",))
    update = make_report(task.assignments[0], note="Đã tổ chức")
    db.session.commit()

    update.note = "Sửa lại"
    with pytest.raises(ValueError, match="never edited"):
        db.session.flush()
    db.session.rollback()

    assert db.session.get(TaskUpdate, update.id).note == "Đã tổ chức"


def test_an_empty_report_is_refused(app, campaign, login):
    task_id = new_task(app, ("C11",))

    response = english(login("reporter")).post(
        f"/campaigns/TASKS/tasks/{task_id}/units/C11/updates", data={"status": "todo", "note": " "}
    )

    assert response.status_code == 422
    assert "Nothing to record" in text(response)
    with app.app_context():
        assert count(TaskUpdate) == 0


@pytest.mark.parametrize(
    ("username", "unit", "expected"),
    [
        ("reporter", "C11", 302),  # its own unit
        ("manager", "C11", 302),  # a unit of its subtree
        ("admin", "C11", 302),
        ("reporter2", "C11", 403),  # another commune
        ("viewer", "C11", 403),  # reads, never writes
        ("admin2", "C11", 403),  # another province
        ("reporter", "D2", 403),
        ("manager", "D2", 403),
    ],
)
def test_who_may_report_on_an_assignment(app, campaign, login, username, unit, expected):
    task_id = new_task(app, ("C11", "D2"))

    response = login(username).post(
        f"/campaigns/TASKS/tasks/{task_id}/units/{unit}/updates",
        data={"status": "in_progress", "note": "Đang làm"},
    )

    assert response.status_code == expected
    with app.app_context():
        assert count(TaskUpdate) == (1 if expected == 302 else 0)
        assert assignment(task_id, unit).status == (
            TaskStatus.IN_PROGRESS if expected == 302 else TaskStatus.TODO
        )


def test_done_needs_evidence_when_the_campaign_asks_for_it(app, campaign, login):
    with app.app_context():
        campaign_by().requires_task_evidence = True
        db.session.commit()
    task_id = new_task(app, ("C11", "C12"))
    client = english(login("manager"))
    c11 = f"/campaigns/TASKS/tasks/{task_id}/units/C11/updates"
    c12 = f"/campaigns/TASKS/tasks/{task_id}/units/C12/updates"

    refused = client.post(c11, data={"status": "done", "note": "Xong"})
    with_photo = client.post(
        c11,
        data={"status": "done", "files": [(io.BytesIO(png_bytes()), "hoi-nghi.png")]},
        content_type="multipart/form-data",
    )
    # Evidence sent earlier counts: C12 sends a photo first, then marks done with a note.
    photo_first = client.post(
        c12,
        data={"status": "in_progress", "files": [(io.BytesIO(png_bytes()), "anh.png")]},
        content_type="multipart/form-data",
    )
    done_later = client.post(c12, data={"status": "done", "note": "Xong"})

    assert refused.status_code == 422
    assert "asks for evidence before a task is marked done" in text(refused)
    assert [with_photo.status_code, photo_first.status_code, done_later.status_code] == [302] * 3
    with app.app_context():
        assert assignment(task_id, "C11").status == TaskStatus.DONE
        assert assignment(task_id, "C12").status == TaskStatus.DONE
        assert count(TaskUpdate) == 3  # the refused report left nothing


def test_done_without_evidence_is_fine_when_the_campaign_does_not_ask(
    app, campaign, english_context
):
    task = make_task(campaign_by(), "Hội nghị", ("C11",))
    update = make_report(task.assignments[0], status=TaskStatus.DONE, note="Xong")
    assert update.status_after == TaskStatus.DONE


# Overdue -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "overdue"), [(DUE, 0), (DUE + timedelta(days=1), 1)])
def test_overdue_at_the_boundary_on_the_pages(app, campaign, login, today_is, today, overdue):
    task_id = new_task(app, ("C11",))
    today_is(today)
    client = english(login("admin"))

    listing = client.get("/campaigns/TASKS/tasks").get_data(as_text=True)
    assignment_page = client.get(f"/campaigns/TASKS/tasks/{task_id}/units/C11")

    assert ("1 overdue" in text_of_html(listing)) is bool(overdue)
    assert ('class="table-danger"' in listing) is bool(overdue)
    assert ("Overdue" in text(assignment_page)) is bool(overdue)


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_overdue_counts_in_sql_agree_with_the_rule(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("C11", "C12", "C21"))
    make_report(task.assignments[0], status=TaskStatus.DONE, note="Xong")
    admin = user("admin")

    on_the_day = queries.task_completions([task.id], admin, True, DUE)[task.id]
    day_after = queries.task_completions([task.id], admin, True, DUE + timedelta(days=1))[task.id]

    assert on_the_day == Completion(done=1, total=3, overdue=0)
    assert day_after == Completion(done=1, total=3, overdue=2)


# Forwarding --------------------------------------------------------------------------------


def test_manager_forwards_its_assignment_to_every_commune_below(app, campaign, login):
    task_id = new_task(app, ("D1",))
    client = english(login("manager"))

    response = client.post(
        f"/campaigns/TASKS/tasks/{task_id}/units/D1/forward", data={"mode": "all"}
    )

    assert response.status_code == 302
    with app.app_context():
        parent = assignment(task_id, "D1")
        children = queries.forwarded_from(parent)
        assert [(row.unit.code, row.parent_id) for row in children] == [
            ("C11", parent.id),
            ("C12", parent.id),
        ]
        assert {row.assigned_by_id for row in children} == {user("manager").id}
    page = text(client.get(f"/campaigns/TASKS/tasks/{task_id}/units/D1"))
    assert "0/2 done" in page
    # The reporter of C11 now finds the task in its list and can report on it.
    reporter = english(login("reporter"))
    assert "Hội nghị" in text(reporter.get("/campaigns/TASKS/tasks"))
    assert (
        reporter.post(
            f"/campaigns/TASKS/tasks/{task_id}/units/C11/updates", data={"status": "done"}
        ).status_code
        == 302
    )


def test_forwarding_by_kind_and_by_choice(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("P1",))
    province = task.assignments[0]
    admin = user("admin")

    by_kind = forward_assignment(province, by=admin, mode="kind", kind="district")
    district = next(row for row in by_kind.created if row.unit.code == "D1")
    chosen = forward_assignment(district, by=admin, mode="chosen", codes=["C12"])

    assert sorted(row.unit.code for row in by_kind.created) == ["D1", "D2"]  # not the agency A1
    assert [row.unit.code for row in chosen.created] == ["C12"]
    assert chosen.created[0].parent_id == district.id
    assert assigned_codes(task.id) == {"P1", "D1", "D2", "C12"}


def test_forwarding_twice_never_duplicates(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("D1",))
    district = task.assignments[0]
    manager = user("manager")
    forward_assignment(district, by=manager, mode="chosen", codes=["C12"])

    with pytest.raises(TaskError, match=r"Already assigned this task: Xã Đức Quang \(C12\)"):
        forward_assignment(district, by=manager, mode="chosen", codes=["C12"])
    rest = forward_assignment(district, by=manager, mode="all")
    with pytest.raises(TaskError, match="Every one of these units already has this task"):
        forward_assignment(district, by=manager, mode="all")

    assert [row.unit.code for row in rest.created] == ["C11"]
    assert [unit.code for unit in rest.skipped] == ["C12"]
    assert count(TaskAssignment) == 3  # D1, C11, C12


def test_the_database_refuses_a_second_assignment_of_one_unit(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("C11",))
    db.session.add(TaskAssignment(task_id=task.id, unit_id=unit_by_code("C11").id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_forward_racing_another_is_told_and_the_request_stays_usable(
    app, campaign, english_context, monkeypatch
):
    task = make_task(campaign_by(), "Hội nghị", ("D1",))
    district = task.assignments[0]
    manager = user("manager")
    forward_assignment(district, by=manager, mode="chosen", codes=["C11"])
    db.session.commit()
    # As if another request had assigned C11 between our check and our write.
    monkeypatch.setattr(queries, "assigned_unit_ids", lambda task_id, unit_ids: set())

    with pytest.raises(TaskError, match="a moment ago"):
        forward_assignment(district, by=manager, mode="all")

    db.session.commit()  # the savepoint rolled back; the transaction is still good
    assert assigned_codes(task.id) == {"D1", "C11"}


@pytest.mark.parametrize(
    ("holder", "mode", "codes", "message"),
    [
        ("D1", "chosen", ["C21"], "Not directly below Huyện Đức Hợp: “C21”."),
        ("D1", "chosen", ["D1"], "Not directly below"),
        ("D2", "all", [], "You may not hand tasks to Thị trấn Thanh Bình (C21)."),
        ("C11", "all", [], "No unit lies below Xã Đức Trung."),
        ("D1", "chosen", [], "Choose at least one unit."),
        ("D1", "kind", [], "Choose the kind of unit."),
        ("D1", "sideways", [], "Choose the units to forward the task to."),
        ("D1", "all", ["C11"], "You ticked some units"),  # never "all" by mistake
    ],
)
def test_a_manager_forwards_only_to_units_directly_below_in_its_subtree(
    app, campaign, english_context, holder, mode, codes, message
):
    task = make_task(campaign_by(), "Hội nghị", ("D1", "D2", "C11"))
    held = next(row for row in task.assignments if row.unit.code == holder)

    with pytest.raises(TaskError) as refused:
        forward_assignment(held, by=user("manager"), mode=mode, codes=codes)

    assert message in refused.value.message
    assert count(TaskAssignment) == 3


def test_forward_kind_without_such_children_is_refused(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("D1",))
    with pytest.raises(TaskError, match="No unit of the kind"):
        forward_assignment(task.assignments[0], by=user("manager"), mode="kind", kind="agency")


@pytest.mark.parametrize(
    ("username", "unit", "expected"),
    [
        ("manager", "D1", 302),
        ("admin", "D1", 302),
        ("manager", "D2", 403),  # outside its subtree
        ("reporter", "C11", 403),  # reporters never forward
        ("viewer", "D1", 403),
        ("admin2", "D1", 403),
    ],
)
def test_who_may_forward_on_the_page(app, campaign, login, username, unit, expected):
    task_id = new_task(app, ("D1", "D2", "C11"))

    response = login(username).post(
        f"/campaigns/TASKS/tasks/{task_id}/units/{unit}/forward", data={"mode": "all"}
    )

    assert response.status_code == expected
    with app.app_context():
        assert count(TaskAssignment) == (4 if expected == 302 else 3)  # + C12 (C11 had it)


def test_a_forward_of_an_assigned_unit_on_the_page_says_so(app, campaign, login):
    task_id = new_task(app, ("D1", "C11"))

    response = english(login("manager")).post(
        f"/campaigns/TASKS/tasks/{task_id}/units/D1/forward",
        data={"mode": "chosen", "unit_codes": ["C11"]},
    )

    assert response.status_code == 422
    assert "Already assigned this task: Xã Đức Trung (C11)." in text(response)


def test_the_parent_shows_completion_across_its_forwarded_assignments(
    app, world, campaign, login, today_is
):
    # A district of 11 communes: 7 done, 1 in progress, 3 to do; due yesterday.
    with app.app_context():
        make_units(("D9", "Huyện Chín", "district", "P1"))
        make_units(*[(f"C9{n:02d}", f"Xã {n}", "commune", "D9") for n in range(1, 12)])
        task = make_task(campaign_by(), "Tổ công nghệ số", ("D9",))
        district = task.assignments[0]
        result = forward_assignment(district, by=user("admin"), mode="all")
        for row in result.created[:7]:
            make_report(row, status=TaskStatus.DONE, note="Xong")
        make_report(result.created[7], status=TaskStatus.IN_PROGRESS, note="Đang làm")
        db.session.commit()
        task_id = task.id
    today_is(DUE + timedelta(days=1))
    client = english(login("admin"))

    html = client.get(f"/campaigns/TASKS/tasks/{task_id}/units/D9").get_data(as_text=True)
    section = html[html.index('id="forwarded"') :]

    # 11 forwarded, 7 done; the 4 not done are overdue; D9 itself (to do) is overdue too.
    assert "7/11 done" in text_of_html(section)
    assert "4 overdue" in text_of_html(section)
    assert section.count('class="table-danger"') == 4
    task_page = text(client.get(f"/campaigns/TASKS/tasks/{task_id}"))
    assert "7/12 done" in task_page and "5 overdue" in task_page  # D9 + its 11 communes
    assert "forwarded: 7/11 done" in task_page


# Taking an assignment back -----------------------------------------------------------------


def test_manager_takes_back_what_it_forwarded_unless_reported(app, campaign, login):
    task_id = new_task(app, ("D1",))
    with app.app_context():
        forward_assignment(assignment(task_id, "D1"), by=user("manager"), mode="all")
        make_report(assignment(task_id, "C11"), note="Đã nhận")
        db.session.commit()
    client = english(login("manager"))

    confirm = client.get(f"/campaigns/TASKS/tasks/{task_id}/units/C12/remove")
    removed = client.post(f"/campaigns/TASKS/tasks/{task_id}/units/C12/remove")
    kept = client.post(f"/campaigns/TASKS/tasks/{task_id}/units/C11/remove")
    top = client.get(f"/campaigns/TASKS/tasks/{task_id}/units/D1/remove")

    assert confirm.status_code == 200 and "Take the task back" in text(confirm)
    assert removed.status_code == 302
    assert kept.status_code == 422
    assert "has already reported on it" in text(kept)
    assert top.status_code == 403  # given by the campaign: only its configurers take it back
    with app.app_context():
        assert assigned_codes(task_id) == {"D1", "C11"}


def test_taking_back_removes_what_was_forwarded_below(app, campaign, english_context):
    task = make_task(campaign_by(), "Hội nghị", ("D1", "D2"))
    forward_assignment(task.assignments[0], by=user("manager"), mode="all")
    db.session.commit()

    remove_assignment(assignment(task.id, "D1"))

    assert assigned_codes(task.id) == {"D2"}


# What each reader sees ---------------------------------------------------------------------


def test_the_task_list_is_scoped_and_counts_only_visible_assignments(app, campaign, login):
    with app.app_context():
        shared = make_task(campaign_by(), "Chung", ("C11", "C12", "D2"))
        make_report(
            next(r for r in shared.assignments if r.unit.code == "C12"), status=TaskStatus.DONE
        )
        make_task(campaign_by(), "Riêng D2", ("D2",))
        db.session.commit()

    def listing(username: str) -> str:
        return text(english(login(username)).get("/campaigns/TASKS/tasks"))

    reporter, manager, admin = listing("reporter"), listing("manager"), listing("admin")

    assert "Chung" in reporter and "Riêng D2" not in reporter
    assert "0/1 done" in reporter  # only C11
    assert "1/2 done" in manager and "Riêng D2" not in manager  # C11, C12
    assert "1/3 done" in admin and "0/1 done" in admin  # everything
    assert login("admin2").get("/campaigns/TASKS/tasks").status_code == 403
    assert login("reporter").get("/campaigns/NOPE/tasks").status_code == 404


def test_the_task_page_shows_the_reader_only_its_part_of_the_tree(app, campaign, login):
    task_id = new_task(app, ("D1", "D2"))
    with app.app_context():
        forward_assignment(assignment(task_id, "D1"), by=user("manager"), mode="all")
        db.session.commit()

    reporter = text(english(login("reporter")).get(f"/campaigns/TASKS/tasks/{task_id}"))
    admin = text(english(login("admin")).get(f"/campaigns/TASKS/tasks/{task_id}"))

    assert "Xã Đức Trung" in reporter
    assert "Huyện Đức Hợp" not in reporter and "Xã Đức Quang" not in reporter
    assert "0/1 done" in reporter
    assert "Huyện Đức Hợp" in admin and "Huyện Bù Đốp" in admin and "Xã Đức Quang" in admin
    assert "0/4 done" in admin
    assert "forwarded: 0/2 done" in admin


def test_status_filter_on_the_task_page(app, campaign, login, today_is):
    task_id = new_task(app, ("C11", "C12", "C21"))
    with app.app_context():
        make_report(assignment(task_id, "C12"), status=TaskStatus.DONE)
        db.session.commit()
    today_is(DUE + timedelta(days=1))
    client = english(login("admin"))

    done = text(client.get(f"/campaigns/TASKS/tasks/{task_id}?status=done"))
    overdue = text(client.get(f"/campaigns/TASKS/tasks/{task_id}?status=overdue"))

    assert "Xã Đức Quang" in done and "Xã Đức Trung" not in done
    assert "Xã Đức Trung" in overdue and "Thị trấn Thanh Bình" in overdue
    assert "Xã Đức Quang" not in overdue


def test_unknown_tasks_and_assignments_are_404(app, campaign, login):
    task_id = new_task(app, ("C11",))
    with app.app_context():
        other = make_campaign("OTHER", "P1", status=CampaignStatus.ACTIVE)
        other_task = make_task(other, "Khác", ("C11",))
        db.session.commit()
        other_id = other_task.id
    client = login("admin")

    assert client.get("/campaigns/TASKS/tasks/99999").status_code == 404
    assert client.get(f"/campaigns/TASKS/tasks/{other_id}").status_code == 404  # another campaign
    assert client.get(f"/campaigns/TASKS/tasks/{task_id}/units/C12").status_code == 404
    assert client.get(f"/campaigns/TASKS/tasks/{task_id}/units/NOPE").status_code == 404


def test_the_task_list_is_paginated(app, campaign, login):
    with app.app_context():
        for n in range(3):
            make_task(campaign_by(), f"Nhiệm vụ {n}", ("C11",), due=DUE + timedelta(days=n))
        db.session.commit()
    app.config["PER_PAGE"] = 2
    client = english(login("reporter"))

    first, second = (
        text(client.get("/campaigns/TASKS/tasks")),
        text(client.get("/campaigns/TASKS/tasks?page=2")),
    )

    assert "Nhiệm vụ 0" in first and "Nhiệm vụ 1" in first and "Nhiệm vụ 2" not in first
    assert "Nhiệm vụ 2" in second and "Nhiệm vụ 0" not in second


def test_empty_states(app, campaign, login):
    admin = text(english(login("admin")).get("/campaigns/TASKS/tasks"))
    reporter = text(english(login("reporter")).get("/campaigns/TASKS/tasks"))

    assert "This campaign has no tasks yet." in admin and "Create the first task" in admin
    assert "No task of this campaign concerns your units." in reporter
    assert "New task" not in reporter


def test_the_campaign_page_links_to_its_tasks(app, campaign):
    from campaigns.hooks import campaign_links

    with app.test_request_context(), app.app_context():
        links = campaign_links(campaign_by(), user("reporter"))
        outsider = campaign_links(campaign_by(), user("admin2"))

    assert "/campaigns/TASKS/tasks" in [link.url for link in links]
    assert "/campaigns/TASKS/tasks" not in [link.url for link in outsider]


def test_the_assignment_page_offers_the_forms_each_role_may_use(app, campaign, login):
    task_id = new_task(app, ("D1",))
    url = f"/campaigns/TASKS/tasks/{task_id}/units/D1"

    manager = text(english(login("manager")).get(url))
    viewer = text(english(login("viewer")).get(url))

    assert "Report progress" in manager and "Forward this task" in manager
    assert "Xã Đức Trung (C11)" in manager  # a unit to choose
    assert "Report progress" not in viewer and "Forward this task" not in viewer
    assert "No report yet." in viewer


def test_the_report_form_suits_a_phone_camera(app, campaign, login):
    task_id = new_task(app, ("C11",))
    html = (
        login("reporter").get(f"/campaigns/TASKS/tasks/{task_id}/units/C11").get_data(as_text=True)
    )

    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input[^>]*name="files"[^>]*accept="image/\*"[^>]*capture', html)
    assert re.search(
        r'<input[^>]*name="files"[^>]*accept="image/\*,application/pdf"[^>]*multiple', html
    )
    assert 'name="viewport"' in html
