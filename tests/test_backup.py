"""`flask --app app backup` and `restore`, on the suite's database (SQLite, or PostgreSQL
through pg_dump and pg_restore): a restore gives back every row of every table and every
uploaded file, byte for byte; a damaged archive or a backup from newer code is refused and
changes nothing, as does a restore without --yes; an older backup is restored, then brought
forward by `db upgrade`."""

import gzip
import io
import tarfile
from datetime import date
from pathlib import Path

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, select, text, update

from app import create_app
from app.config import TestConfig
from app.db import db
from app.extensions import migrate
from app.scheduler.jobs import claim_run
from app.units.models import Unit
from app.users.models import User
from campaigns.models import Campaign
from campaigns.tasks.models import TaskAssignment
from targets.briefings.demo import load_demo_briefing
from targets.briefings.models import Briefing
from targets.briefings.sharing import create_share_link
from targets.briefings.subscriptions import subscribe
from tests.factories import (
    enter_figures_for_test,
    make_indicator,
    make_report,
    make_task,
    make_token,
    make_user,
    pdf_bytes,
    png_bytes,
)

DEMO_CAMPAIGN = "CD92-2022"
EVIDENCE = {"bien-ban.pdf": pdf_bytes(), "anh-hoi-nghi.png": png_bytes(3, 2)}


def database_content() -> dict[str, list[tuple]]:
    """Every row of every table of the database (as the database has them, Alembic's own
    table included), each table sorted by its primary key."""
    content = {}
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        for name in sorted(inspector.get_table_names()):
            key = inspector.get_pk_constraint(name)["constrained_columns"]
            columns = [column["name"] for column in inspector.get_columns(name)]
            quote = connection.dialect.identifier_preparer.quote
            order = ", ".join(quote(column) for column in key or columns)
            rows = connection.execute(text(f"SELECT * FROM {quote(name)} ORDER BY {order}"))
            content[name] = [tuple(row) for row in rows]
    return content


def uploaded_files(app: Flask) -> dict[str, bytes]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def state(app: Flask) -> tuple[dict[str, list[tuple]], dict[str, bytes]]:
    with app.app_context():
        return database_content(), uploaded_files(app)


@pytest.fixture
def filled(app: Flask, runner) -> Flask:
    """A row in every table: the demo (units, users, the 92-day campaign with its targets and
    tasks) without its 92 days of figures; an indicator for communes, a few figures, a report
    with two evidence files, a subscriber; the demo's briefing of 29/07/2022, published (and
    so e-mailed to the subscriber), and a share link to it; an API token, a claimed job, a
    failed sign-in. The commands answer in English, which the tests read."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == DEMO_CAMPAIGN))
        reporter = db.session.scalar(select(User).where(User.username == "reporter"))
        make_indicator(campaign, "XA", unit_kinds=["commune"])
        enter_figures_for_test(
            campaign,
            {
                ("25308", indicator.code, day): (7 + number, 9 + number)
                for number, indicator in enumerate(campaign.indicators)
                for day in (date(2022, 7, 28), date(2022, 7, 29))
                if indicator.kind == "ratio"
            },
            at="2022-07-29 16:00",
            by=reporter,
        )
        task = make_task(campaign, "Tuyên truyền tại chợ Thanh Bình", ("25308",))
        assignment = db.session.scalar(
            select(TaskAssignment).where(TaskAssignment.task_id == task.id)
        )
        make_report(assignment, by=reporter, note="Đã tổ chức", files=EVIDENCE.items())
        subscribe(campaign, db.session.scalar(select(User).where(User.username == "admin")))
        load_demo_briefing()
        create_share_link(db.session.scalar(select(Briefing)), user=None)
        make_token(reporter)
        claim_run("backup.test", "2022-07-29")
        db.session.commit()
    app.test_client().post("/login", data={"username": "admin", "password": "wrong"})
    return app


def backup(runner, folder: Path) -> Path:
    result = runner.invoke(args=["backup", "--output", str(folder)])
    assert result.exit_code == 0, result.output
    archive = Path(result.output.splitlines()[-1])
    assert archive.parent == folder
    return archive


def change_everything(app: Flask) -> None:
    """Rows changed, deleted and added in several tables; files removed, changed, added."""
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.code == "25308").values(name="Đổi tên"))
        db.session.execute(text("DELETE FROM entry_revisions"))
        db.session.execute(text("DELETE FROM entries"))
        make_user("newcomer", "viewer", "70")
        db.session.commit()
    folder = Path(app.config["UPLOAD_FOLDER"])
    stored = sorted(path for path in folder.rglob("*") if path.is_file())
    stored[0].unlink()
    stored[1].write_bytes(b"changed")
    (folder / "evidence" / "new.pdf").write_bytes(pdf_bytes())


def test_restore_gives_back_every_row_and_every_uploaded_file(filled, runner, tmp_path):
    before = state(filled)
    tables, files = before
    # Something to compare in every table; the evidence is on disk.
    assert ", ".join(name for name, rows in tables.items() if not rows) == ""
    assert sorted(files.values()) == sorted(EVIDENCE.values())

    archive = backup(runner, tmp_path / "backups")
    change_everything(filled)
    assert state(filled) != before
    result = runner.invoke(args=["restore", str(archive), "--yes"])

    assert result.exit_code == 0, result.output
    after = state(filled)
    assert after[1] == before[1]
    assert after[0].keys() == before[0].keys()
    for name in before[0]:
        assert after[0][name] == before[0][name], name
    # The application works on the restored database (its connections were renewed), and
    # its next rows get new ids (PostgreSQL's sequences were restored with the rows).
    with filled.app_context():
        assert db.session.scalar(select(Unit.name).where(Unit.code == "25308")) == (
            "Thị trấn Thanh Bình"
        )
        make_user("after", "viewer", "70")
        db.session.commit()
    # Owner only: the archive holds password hashes and every unit's evidence.
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as bundle:
        names = set(bundle.getnames())
    assert names == {
        "manifest.json",
        {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}[db_kind(filled)],
        *(f"uploads/{name}" for name in before[1]),
    }


def db_kind(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` with `change(name, data) -> data` applied to each member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def flipped_byte(archive: Path, target: Path) -> Path:
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def truncated(archive: Path, target: Path) -> Path:
    target.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    return target


def not_gzip(archive: Path, target: Path) -> Path:
    target.write_bytes(gzip.decompress(archive.read_bytes()))  # a bare tar
    return target


def uploads_changed(archive: Path, target: Path) -> Path:
    def change(name: str, data: bytes) -> bytes:
        return data[:-1] + b"!" if name.startswith("uploads/") else data

    return rewritten(archive, target, change)


def database_changed(archive: Path, target: Path) -> Path:
    def change(name: str, data: bytes) -> bytes:
        return data[:99] + b"?" + data[100:] if name.startswith("database.") else data

    return rewritten(archive, target, change)


def manifest_removed(archive: Path, target: Path) -> Path:
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            if member.name != "manifest.json":
                copy.addfile(member, source.extractfile(member))
    return target


DAMAGES = {
    flipped_byte: "damaged",
    truncated: "damaged",
    not_gzip: "damaged",
    uploads_changed: "does not match the archive's manifest",
    database_changed: "does not match the archive's manifest",
    manifest_removed: "manifest.json",
}


def test_nothing_changes_when_a_restore_is_refused(filled, runner, tmp_path):
    """A damaged archive, a backup from newer code, no archive at all: the command says why,
    exits 1 and leaves the database and the files as they are; without --yes it only checks."""
    archive = backup(runner, tmp_path / "backups")
    # A backup that newer code (one migration further) made.
    with filled.app_context():
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        db.session.commit()
    try:
        newer = backup(runner, tmp_path / "newer")
    finally:
        with filled.app_context():
            db.session.execute(
                text("UPDATE alembic_version SET version_num = :current"), {"current": current}
            )
            db.session.commit()
    change_everything(filled)
    changed = state(filled)
    attempts = {
        f"{damage.__name__}": (
            ["restore", str(damage(archive, tmp_path / f"{damage.__name__}.tar.gz")), "--yes"],
            message,
        )
        for damage, message in DAMAGES.items()
    }
    attempts["newer"] = (["restore", str(newer), "--yes"], "newer version of Tiến độ")
    attempts["missing"] = (["restore", str(tmp_path / "none.tar.gz"), "--yes"], "No such file")

    for name, (arguments, message) in attempts.items():
        result = runner.invoke(args=arguments)

        assert (name, result.exit_code) == (name, 1), result.output
        assert message in result.output, name
        assert "Traceback" not in result.output
        assert state(filled) == changed, name
    assert "9999_future" in runner.invoke(args=attempts["newer"][0]).output
    # Without --yes, a sound archive is only checked.
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "The archive is whole. Nothing was restored" in result.output
    assert state(filled) == changed


def test_an_older_backup_is_restored_then_brought_forward_by_db_upgrade(empty_database, tmp_path):
    """A backup made at migration 0006, restored on a database at the newest migration: the
    tables that came later (0007: failed_sign_ins) go, and `db upgrade` runs as after any
    restore of an older backup."""
    application = create_app(
        TestConfig,
        {
            **empty_database.settings(),
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "CHART_CACHE_FOLDER": str(tmp_path / "charts"),
            "BABEL_DEFAULT_LOCALE": "en",
        },
    )
    runner = application.test_cli_runner()
    try:
        with application.app_context():
            flask_migrate.upgrade(revision="0006")
            tables_then = set(inspect(db.engine).get_table_names())
        archive = backup(runner, tmp_path / "backups")
        with application.app_context():
            flask_migrate.upgrade()
            tables_now = set(inspect(db.engine).get_table_names())
        assert "failed_sign_ins" in tables_now - tables_then

        restored = runner.invoke(args=["restore", str(archive), "--yes"])
        with application.app_context():
            tables_restored = set(inspect(db.engine).get_table_names())
        upgraded = runner.invoke(args=["db", "upgrade"])

        assert restored.exit_code == 0, restored.output
        assert "The database is at migration 0006" in restored.output
        assert tables_restored == tables_then
        assert upgraded.exit_code == 0, upgraded.output
        with application.app_context():
            assert set(inspect(db.engine).get_table_names()) == tables_now
            assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == (
                ScriptDirectory(migrate.directory).get_current_head()
            )
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
