"""PostgreSQL stopped and started again under the running application: while it is down every
request gets a clean error answer (a 5xx page or JSON, in seconds, never a hang nor a dropped
connection), and once it is back every request succeeds again, without restarting the
application: its workers are the ones that started (the connection pool checks each
connection before use, SQLALCHEMY_ENGINE_OPTIONS "pool_pre_ping").

Real processes: a PostgreSQL cluster of the test's own (initdb in a temporary folder, run as
the user postgres on a free port; never the shared server of TEST_DATABASE_URL), the
application in gunicorn with 2 workers, and a client in this process that keeps asking for a
campaign's page (signed in) and the campaign through the API (a bearer token), one request
after the other, each of which reads the database.

The outage: `pg_ctl stop -m fast` (connections are closed at once, as in a restart), 2 s
down, `pg_ctl start`. While the database cannot be reached the application answers 503
Service Unavailable with Retry-After (app/errors.py), its page drawn as for a visitor signed
out (who is signed in cannot be read).
"""

import json
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests

from app.db import db
from app.users.operations import issue_api_token
from campaigns.models import CampaignStatus
from tests.factories import PASSWORD, make_campaign, make_indicator, make_units, make_user
from tests.faults.live import (
    WebSession,
    environment,
    fresh_database,
    migrated_app,
    own_postgresql,
    own_postgresql_missing,
    wait_until,
    web_server,
)

pytestmark = pytest.mark.skipif(
    own_postgresql_missing() is not None,
    reason=f"PostgreSQL restart test: {own_postgresql_missing()}",
)

CAMPAIGN = "PGR"
WORKERS = 2
DOWN_SECONDS = 2
# A request must be answered within this long, outage or not (a hang fails the test).
ANSWER_WITHIN = 10


@dataclass(frozen=True)
class Answer:
    path: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    content_type: str
    body: str = ""
    retry_after: str | None = None
    error: str = ""


class Client(threading.Thread):
    """Asks for the page and the API, turn by turn, until told to stop."""

    def __init__(self, session: WebSession, token: str):
        super().__init__(daemon=True)
        self.session = session
        self.headers = {"Authorization": f"Bearer {token}"}
        self.answers: list[Answer] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        paths = [(f"/campaigns/{CAMPAIGN}", {}), (f"/api/v1/campaigns/{CAMPAIGN}", self.headers)]
        turn = 0
        while not self.stopping.is_set():
            path, headers = paths[turn % 2]
            turn += 1
            started = time.monotonic()
            try:
                response = self.session.get(path, headers=headers, timeout=ANSWER_WITHIN * 3)
                answer = Answer(
                    path,
                    started,
                    time.monotonic(),
                    response.status_code,
                    response.headers.get("Content-Type", ""),
                    response.text,
                    response.headers.get("Retry-After"),
                )
            except requests.RequestException as error:
                answer = Answer(path, started, time.monotonic(), None, "", "", repr(error))
            self.answers.append(answer)
            time.sleep(0.02)

    def report(self, since: float) -> str:
        return "\n".join(
            f"{a.started - since:+7.2f} s {a.ended - a.started:5.2f} s {a.path} {a.status}"
            f" {a.content_type} {a.error}"
            for a in self.answers
        )

    def count_after(self, moment: float, status: int) -> int:
        return sum(1 for a in self.answers if a.started > moment and a.status == status)


def test_the_application_recovers_from_a_postgresql_restart(tmp_path: Path):
    with (
        own_postgresql() as postgres,
        fresh_database(tmp_path, postgres.url) as database,
        migrated_app(database, tmp_path) as app,
    ):
        with app.app_context():
            make_units(("P", "Tỉnh Thử", "province", None), ("D", "Huyện", "district", "P"))
            admin = make_user("admin", "admin", "P")
            campaign = make_campaign(
                CAMPAIGN,
                "P",
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                status=CampaignStatus.ACTIVE,
            )
            make_indicator(campaign, "A")
            _token, token = issue_api_token(admin)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        with web_server(environment(database, tmp_path), workers=WORKERS) as server:
            session = server.session().sign_in("admin", PASSWORD)
            client = Client(session, token)
            client.start()
            try:
                wait_until(
                    lambda: client.count_after(0, 200) >= 10, 60, "answers before the outage"
                )
                stopping = time.monotonic()
                postgres.stop("fast")
                stopped = time.monotonic()
                time.sleep(DOWN_SECONDS)
                starting = time.monotonic()
                postgres.start()
                started = time.monotonic()
                wait_until(
                    lambda: client.count_after(started, 200) >= 20,
                    60,
                    "answers after the restart",
                )
            except TimeoutError as error:
                raise AssertionError(client.report(time.monotonic())) from error
            finally:
                client.stopping.set()
                client.join(timeout=60)
            booted = [line for line in server.log.splitlines() if "Booting worker" in line]

    answers = client.answers
    before = [a for a in answers if a.ended < stopping]
    during = [a for a in answers if stopped < a.started and a.ended < starting]
    after = [a for a in answers if a.started > started]
    report = client.report(stopping)

    assert before and during and after, report
    # Before: all answered.
    assert {a.status for a in before} == {200}, report
    # During: every request answered, quickly, with an error page or JSON of the 5xx kind.
    assert all(a.status is not None for a in answers), report
    assert max(a.ended - a.started for a in answers) < ANSWER_WITHIN, report
    # 503 Service Unavailable, with Retry-After: the application's own answer (JSON under
    # /api/, its error page in Vietnamese elsewhere), not a bare server error.
    assert {a.status for a in during} == {503}, report
    for answer in during:
        assert answer.retry_after == "10", report
        if answer.path.startswith("/api/"):
            assert answer.content_type.startswith("application/json"), report
            assert json.loads(answer.body)["code"] == 503, answer.body
        else:
            assert answer.content_type.startswith("text/html"), report
            assert "<title>Lỗi 503" in answer.body, answer.body
    # After: every request answered, by the same workers (none died and was replaced).
    assert {a.status for a in after} == {200}, report
    assert len(booted) == WORKERS, server.log
