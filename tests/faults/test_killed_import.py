"""The web server killed (SIGKILL, master and workers) in the middle of confirming an Excel
import of daily figures: the database holds nothing of the file, and once the server is
started again the same file imports in full.

Real processes: the application runs in gunicorn (`flask run` without it) on the suite's kind
of database (a SQLite file, or a PostgreSQL schema of its own), the import goes through the
pages as a browser sends it (template, upload, preview, confirm), and the server is killed as
confirmation's transaction has written something: on SQLite when the database's rollback
journal appears, on PostgreSQL when the server's connection holds a transaction id and its
last statement was an INSERT, UPDATE or DELETE ("first write"); and later, with the entries and
revisions written ("late"): on PostgreSQL when the statement is one of the running totals
(entry_totals, written last), on SQLite 0,4 s after the first write (the writing takes about
1,2 s there; if the server finished before the kill, the test fails: the browser got an
answer).

After the kill, and after the import that follows, the database is checked twice: against
figures worked out by hand (below), and for consistency within itself: every entry has its
revisions, the last of which holds the entry's figures, and the running totals of each
commune and indicator on the campaign's last day are the count and sums of its entries
(a SQL GROUP BY over the entries, not the application's code).

The campaign KILL (owner P, 200 communes in 10 districts, three ratio indicators for communes,
from 20 days ago to 5 days ahead) holds the figures 10/100 of every commune and indicator on
the first of the file's 5 days (today − 4 … today), saved before the test. The file gives
40/100, 41/100 and 42/100 (indicators A, B, C) for every commune on each of the 5 days.
"""

import io
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import requests
from flask import Flask
from sqlalchemy import Date, bindparam, func, select, text

from app.db import db
from campaigns.models import CampaignStatus
from campaigns.progress.models import Entry, EntryRevision, EntryTotal
from tests.factories import (
    PASSWORD,
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    make_user,
)
from tests.faults.live import (
    TIMEZONE,
    LiveDatabase,
    environment,
    fresh_database,
    make_province,
    migrated_app,
    wait_until,
    web_server,
)

CAMPAIGN = "KILL"
IMPORT = f"/campaigns/{CAMPAIGN}/progress/import"
DISTRICTS, COMMUNES = 10, 200
INDICATORS = ("A", "B", "C")
DAYS = 5


@dataclass(frozen=True)
class Live:
    database: LiveDatabase
    app: Flask  # in this process, on the same database: loads the data, reads the outcome
    env: dict[str, str]


def communes() -> list[str]:
    return [f"C{number:03}" for number in range(COMMUNES)]


@pytest.fixture
def live(tmp_path: Path):
    today = datetime.now(TIMEZONE).date()
    server_url = os.environ.get("TEST_DATABASE_URL")
    with fresh_database(tmp_path, server_url) as database, migrated_app(database, tmp_path) as app:
        with app.app_context():
            make_province(DISTRICTS, communes())
            make_user("admin", "admin", "P")
            campaign = make_campaign(
                CAMPAIGN,
                "P",
                start=today - timedelta(days=20),
                end=today + timedelta(days=5),
                status=CampaignStatus.ACTIVE,
                lock_after_days=30,
            )
            for code in INDICATORS:
                make_indicator(campaign, code, unit_kinds=["commune"])
            first_day = today - timedelta(days=DAYS - 1)
            enter_figures_for_test(
                campaign,
                {(unit, code, first_day): (10, 100) for unit in communes() for code in INDICATORS},
                at=datetime.now(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
            )
            db.session.commit()
        yield Live(database, app, environment(database, tmp_path))


@dataclass(frozen=True)
class State:
    entries: int
    revisions: int
    entry_numerators: int
    total_rows: int
    total_numerators: int


def state_of(app: Flask) -> State:
    assert inconsistencies(app) == []
    with app.app_context():
        count = func.count()
        state = State(
            db.session.scalar(select(count).select_from(Entry)),
            db.session.scalar(select(count).select_from(EntryRevision)),
            db.session.scalar(select(func.sum(Entry.numerator))),
            db.session.scalar(select(count).select_from(EntryTotal)),
            db.session.scalar(select(func.sum(EntryTotal.numerator))),
        )
        db.session.remove()
        return state


def inconsistencies(app: Flask) -> list[str]:
    """What in the database does not agree with itself: entries without revisions, entries
    whose last revision holds other figures, and running totals on the campaign's last day
    (every pair has a row there) that are not the count and sums of the pair's entries."""
    with app.app_context():
        found = db.session.execute(
            text(
                """
                SELECT 'entry ' || e.id || ': last revision ' || coalesce(r.numerator, -1)
                       || '/' || coalesce(r.denominator, -1)
                FROM entries e
                LEFT JOIN entry_revisions r ON r.entry_id = e.id AND r.revision = (
                    SELECT max(revision) FROM entry_revisions WHERE entry_id = e.id)
                WHERE r.id IS NULL OR r.numerator <> e.numerator
                   OR r.denominator IS DISTINCT FROM e.denominator
                UNION ALL
                SELECT 'pair ' || g.indicator_id || '/' || g.unit_id || ': totals '
                       || coalesce(t.entries, -1) || ', ' || coalesce(t.numerator, -1)
                       || ', ' || coalesce(t.denominator, -1) || ' for entries '
                       || g.entries || ', ' || g.numerator || ', ' || g.denominator
                FROM (
                    SELECT indicator_id, unit_id, count(*) AS entries,
                           sum(numerator) AS numerator, sum(denominator) AS denominator
                    FROM entries GROUP BY indicator_id, unit_id
                ) g
                LEFT JOIN entry_totals t ON t.indicator_id = g.indicator_id
                    AND t.unit_id = g.unit_id AND t.total_date = :last_day
                WHERE t.entries IS DISTINCT FROM g.entries
                   OR t.numerator IS DISTINCT FROM g.numerator
                   OR t.denominator IS DISTINCT FROM g.denominator
                """
            ).bindparams(bindparam("last_day", type_=Date)),
            {"last_day": datetime.now(TIMEZONE).date() + timedelta(days=5)},
        ).scalars()
        problems = list(found)
        db.session.remove()
        return problems


def filled_workbook(session) -> bytes:
    """The template of every commune over the 5 days, filled with 40, 41, 42 out of 100."""
    today = datetime.now(TIMEZONE).date()
    response = session.get(
        f"{IMPORT}/template.xlsx",
        params={
            "unit": "",
            "start": (today - timedelta(days=DAYS - 1)).isoformat(),
            "end": today.isoformat(),
        },
    )
    assert response.status_code == 200, response.text[-500:]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [row for row in workbook.worksheets[0].iter_rows(min_row=3) if row[0].value]
    assert len(rows) == COMMUNES * DAYS
    for row in rows:
        for offset in range(len(INDICATORS)):
            # Columns D, E (A's numerator, denominator), F, G (B), H, I (C).
            row[3 + 2 * offset].value = 40 + offset
            row[4 + 2 * offset].value = 100
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload_and_preview(session, content: bytes) -> tuple[str, str]:
    """(confirmation address, fingerprint) of the file's preview; every figure of the file is
    listed as a change (new or changed)."""
    session.get(IMPORT)
    uploaded = session.submit(IMPORT, files={"file": ("so-lieu.xlsx", content)})
    assert uploaded.status_code == 303, uploaded.text[-800:]
    preview = session.get(uploaded.headers["Location"])
    assert preview.status_code == 200
    new = int(re.search(r'id="count-new">(\d+)<', preview.text).group(1))
    changed = int(re.search(r'id="count-changed">(\d+)<', preview.text).group(1))
    # 200 communes × 3 indicators: 600 figures of the first day changed, 200 × 3 × 4 = 2.400
    # new on the 4 other days.
    assert (new, changed) == (COMMUNES * 3 * (DAYS - 1), COMMUNES * 3)
    fingerprint = re.search(
        r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', preview.text
    )
    return uploaded.headers["Location"], fingerprint.group(1)


def writing_started(live: Live, statement: str = r"^\s*(INSERT|UPDATE|DELETE)") -> bool:
    """Whether the server's transaction has written something it has not committed (on
    PostgreSQL: and its last statement matches `statement`)."""
    if not live.database.is_postgresql:
        return Path(f"{live.database.sqlite_path}-journal").exists()
    with live.app.app_context():
        found = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                " AND query ~* :statement"
            ),
            {"name": live.database.application_name, "statement": statement},
        )
        db.session.remove()
        return found > 0


TOTALS_STATEMENT = r"^\s*(INSERT INTO|DELETE FROM) entry_totals"
SQLITE_LATE_SECONDS = 0.4


def wait_for_the_moment(live: Live, moment: str) -> None:
    wait_until(lambda: writing_started(live), 60, "the import to start writing", 0.002)
    if moment == "first write":
        return
    if live.database.is_postgresql:
        wait_until(
            lambda: writing_started(live, TOTALS_STATEMENT),
            60,
            "the import to write its running totals",
            0.002,
        )
    else:
        time.sleep(SQLITE_LATE_SECONDS)


def no_server_transaction_left(live: Live) -> bool:
    """On PostgreSQL, the killed server's backend has rolled back and gone."""
    if not live.database.is_postgresql:
        return True
    with live.app.app_context():
        left = db.session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                " AND pid <> pg_backend_pid()"
            ),
            {"name": live.database.application_name},
        )
        db.session.remove()
        return left == 0


@pytest.mark.parametrize("moment", ["first write", pytest.param("late", marks=pytest.mark.slow)])
def test_a_server_killed_while_saving_an_import_leaves_nothing_of_it(live, moment):
    # Before: 200 × 3 = 600 entries of 10/100 on the first day, one revision each, numerators
    # 6.000. Their running totals run from that day to the campaign's last (today + 5): 10
    # rows per commune and indicator, 6.000 rows, each summing one entry of 10: 60.000.
    before = State(600, 600, 6_000, 6_000, 60_000)
    assert state_of(live.app) == before

    with web_server(live.env) as server:
        session = server.session().sign_in("admin", PASSWORD)
        content = filled_workbook(session)
        address, fingerprint = upload_and_preview(session, content)
        answers: list[object] = []

        def confirm() -> None:
            try:
                answers.append(session.submit(address, {"fingerprint": fingerprint}))
            except requests.ConnectionError as error:
                answers.append(error)

        confirming = threading.Thread(target=confirm)
        confirming.start()
        wait_for_the_moment(live, moment)
        server.kill()
        confirming.join(timeout=30)

    # The browser got no answer: the server died before it could send one.
    [answer] = answers
    assert isinstance(answer, requests.ConnectionError)
    wait_until(lambda: no_server_transaction_left(live), 30, "the killed server's connection")
    assert state_of(live.app) == before

    with web_server(live.env) as server:
        session = server.session().sign_in("admin", PASSWORD)
        # The file previews as before (nothing of it was saved), and imports in full.
        address, fingerprint = upload_and_preview(session, content)
        confirmed = session.submit(address, {"fingerprint": fingerprint})
        assert confirmed.status_code == 302, confirmed.text[-800:]

    # After: 200 communes × 3 indicators × 5 days = 3.000 entries; 600 + 3.000 revisions.
    # Numerators: 200 × 5 × (40 + 41 + 42) = 123.000. Running totals: still 10 rows per pair
    # (from the first day to today + 5), 6.000; the rows of a pair of 40s hold 40 × 1, 40 × 2
    # … 40 × 5 on the file's days and 40 × 5 on each of the 5 days after, 40 × (15 + 25) in
    # all; every pair: 200 × 40 × (40 + 41 + 42) = 984.000.
    assert state_of(live.app) == State(3_000, 3_600, 123_000, 6_000, 984_000)
