"""`flask --app app backup` and `restore`: the database and the uploaded files in one archive.

`backup` writes `tiendo-<UTC time>.tar.gz`, readable by its owner only:

    database.sqlite    SQLite: a copy made with sqlite3's backup API, consistent while the
                       application runs
    database.pgdump    PostgreSQL: `pg_dump --format=custom` of the application's schema
    uploads/...        every file of UPLOAD_FOLDER (task evidence, spreadsheets between preview
                       and confirm), not the chart cache, which is drawn again on demand
    manifest.json      the migration revision, the kind of database, the rows of every table
                       and the SHA-256 of the database file and of every uploaded file

The rows are counted in the snapshot that is copied (pg_dump runs in the snapshot of the
transaction that counted them) and the files are read after it, so every file a row names is
in the archive. `restore` unpacks and checks the whole archive before it touches anything,
then replaces the database (PostgreSQL: in one transaction) and the uploaded files.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from psycopg.conninfo import make_conninfo
from sqlalchemy import URL, Connection, Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.db import db, utcnow
from app.extensions import migrate

APPLICATION = "tiendo"
FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_FILES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message tells the operator why."""


@dataclass(frozen=True)
class Snapshot:
    """What a database copy holds: its migration revision, its PostgreSQL schema, the rows of
    every table (Alembic's own table aside)."""

    revision: str | None
    schema: str | None
    tables: dict[str, int]


@dataclass(frozen=True)
class Manifest:
    created_at: datetime  # UTC
    kind: str  # a key of DATABASE_FILES
    database_sha256: str
    files: dict[str, str]  # path under uploads/ → SHA-256
    copied: Snapshot

    def to_json(self) -> bytes:
        document = {
            "application": APPLICATION,
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "database": {
                "kind": self.kind,
                "revision": self.copied.revision,
                "schema": self.copied.schema,
                "sha256": self.database_sha256,
            },
            "tables": self.copied.tables,
            "files": self.files,
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        """Raises ValueError when `data` is not the manifest of a backup of this format."""
        try:
            document = json.loads(data)
            database = document["database"]
            manifest = cls(
                created_at=datetime.fromisoformat(document["created_at"]),
                kind=database["kind"],
                database_sha256=database["sha256"],
                files=dict(document["files"]),
                copied=Snapshot(database["revision"], database["schema"], document["tables"]),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"{MANIFEST}: {error!r}") from None
        if (document.get("application"), document.get("format")) != (APPLICATION, FORMAT):
            raise ValueError(f"{MANIFEST}: not a backup of format {FORMAT}")
        if manifest.kind not in DATABASE_FILES:
            raise ValueError(f"{MANIFEST}: unknown database {manifest.kind!r}")
        return manifest


def snapshot_of(connection: Connection, schema: str | None = None) -> Snapshot:
    names = sorted(set(inspect(connection).get_table_names()) - {"alembic_version"})
    return Snapshot(
        MigrationContext.configure(connection).get_current_revision(),
        schema,
        {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names},
    )


def release_connections() -> None:
    """Close this process's connections, so that none stands in the way of a restore and no
    pooled one remembers the tables it replaced."""
    db.session.remove()
    db.engine.dispose()


# The two kinds of database -------------------------------------------------------------------


class SQLiteDatabase:
    kind = "sqlite"

    def __init__(self, path: Path):
        self.path = path

    def dump(self, target: Path) -> Snapshot:
        # Read-only; the backup API copies a consistent state even while the application
        # writes.
        source = sqlite3.connect(self.path.as_uri() + "?mode=ro", uri=True)
        with closing(source), closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        engine = create_engine(URL.create("sqlite", database=str(target)), poolclass=NullPool)
        with engine.connect() as connection:
            return snapshot_of(connection)

    def check(self, manifest: Manifest) -> None:
        """Nothing to check: the copy replaces the whole database."""

    def load(self, source: Path) -> None:
        release_connections()
        # The backup API again, into the live file (all at once): a process that has the
        # file open sees the new content, where replacing the file would leave it on the old.
        with (
            closing(sqlite3.connect(source)) as copy,
            closing(sqlite3.connect(self.path, timeout=30)) as live,
        ):
            copy.backup(live)


# A line of `pg_restore --list` about the schema itself, e.g.
# "4; 2615 2200 SCHEMA - public pg_database_owner" or "3448; 0 0 COMMENT - SCHEMA public ...".
SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:(?:COMMENT|ACL) - )?SCHEMA ")


class PostgreSQLDatabase:
    """The application's schema: the first of its connections' search_path."""

    kind = "postgresql"

    def __init__(self, engine: Engine, connect_args: dict[str, object]):
        self.engine = engine
        _args, parameters = engine.dialect.create_connect_args(engine.url)
        parameters = {**parameters, **connect_args}
        parameters.pop("context", None)  # psycopg's adapters, not a connection parameter
        # The password goes in the environment, not on a command line that `ps` shows.
        self.password = parameters.pop("password", None)
        self.conninfo = make_conninfo(
            **{name: str(value) for name, value in parameters.items() if value is not None}
        )

    def dump(self, target: Path) -> Snapshot:
        with self.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                exported = connection.scalar(text("SELECT pg_export_snapshot()"))
                schema = connection.scalar(text("SELECT current_schema()"))
                copied = snapshot_of(connection, schema)
                self._run(
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={exported}",
                    # In double quotes, the pattern is the name as it is written.
                    '--schema="{}"'.format(str(schema).replace('"', '""')),
                    f"--file={target}",
                )
        return copied

    def check(self, manifest: Manifest) -> None:
        """pg_restore writes into the schema named in the dump: it must be ours."""
        with self.engine.connect() as connection:
            schema = connection.scalar(text("SELECT current_schema()"))
        if schema != manifest.copied.schema:
            raise BackupError(
                _(
                    "The backup holds the schema “%(archived)s”, but this deployment works in "
                    "“%(current)s” (its search_path).",
                    archived=manifest.copied.schema,
                    current=schema,
                )
            )

    def load(self, source: Path) -> None:
        release_connections()
        # Everything but the schema itself, which --clean would drop and create again: that
        # needs its ownership and fails while anything else lives in it ("public").
        listing = self._run("pg_restore", "--list", str(source), connect=False)
        entries = source.with_suffix(".list")
        entries.write_text(
            "".join(f"{line}\n" for line in listing.splitlines() if not SCHEMA_ENTRY.match(line))
        )
        self._run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # all or nothing
            f"--use-list={entries}",
            str(source),
        )

    def drop_tables_not_in(self, manifest: Manifest) -> None:
        """Tables of this code that the backup has not (an older backup) would survive the
        restore, and the next `db upgrade` would trip over them."""
        with self.engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            present = set(inspect(connection).get_table_names()) & set(db.metadata.tables)
            for name in sorted(present - set(manifest.copied.tables)):
                connection.execute(text(f"DROP TABLE {quote(name)} CASCADE"))

    def _run(self, program: str, *arguments: str, connect: bool = True) -> str:
        found = shutil.which(program)
        if found is None:
            raise BackupError(
                _(
                    "%(program)s was not found. Install PostgreSQL's client programs, of the "
                    "server's version or newer (Debian: apt-get install postgresql-client).",
                    program=program,
                )
            )
        command = [found, *arguments]
        if connect:
            command += ["--no-password", f"--dbname={self.conninfo}"]
        environment = dict(os.environ)
        if self.password:
            environment["PGPASSWORD"] = self.password
        finished = subprocess.run(
            command, env=environment, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if finished.returncode != 0:
            raise BackupError(
                _(
                    "%(program)s failed: %(error)s",
                    program=program,
                    error=finished.stderr.strip(),
                )
            )
        return finished.stdout


def live_database() -> SQLiteDatabase | PostgreSQLDatabase:
    """The application's database."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        options = current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
        return PostgreSQLDatabase(engine, dict(options.get("connect_args") or {}))
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return SQLiteDatabase(Path(engine.url.database).resolve())
    raise BackupError(
        _(
            "Only a SQLite file or a PostgreSQL database can be backed up, not %(url)s.",
            url=engine.url,
        )
    )


# Files ---------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_below(folder: Path, skip: Path | None = None) -> list[Path]:
    """Every regular file below `folder`, not below `skip`, sorted."""
    if not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not path.is_symlink()
        and (skip is None or not path.is_relative_to(skip))
    ]


# Backup --------------------------------------------------------------------------------------


def make_backup(output: Path) -> tuple[Path, Manifest]:
    """Write the archive into the folder `output`; return its path and its manifest."""
    database = live_database()
    created = utcnow().replace(microsecond=0)
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    archive = output / f"{APPLICATION}-{created:%Y%m%dT%H%M%SZ}.tar.gz"
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory(prefix=".tiendo-backup-", dir=output) as work:
        dump = Path(work) / DATABASE_FILES[database.kind]
        copied = database.dump(dump)
        if copied.revision is None:
            raise BackupError(
                _("The database has no migration revision: run `flask --app app db upgrade`.")
            )
        partial = Path(work) / archive.name
        # The owner only: the archive holds password hashes and every unit's evidence.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as handle,
            tarfile.open(fileobj=handle, mode="w:gz") as bundle,
        ):
            bundle.add(dump, arcname=dump.name)
            files = {}
            for path in files_below(uploads, skip=Path(current_app.config["CHART_CACHE_FOLDER"])):
                try:  # read once, so that the checksum is that of the bytes archived
                    data, modified = path.read_bytes(), path.stat().st_mtime
                except FileNotFoundError:  # a spreadsheet confirmed or cancelled meanwhile
                    continue
                name = path.relative_to(uploads).as_posix()
                _add_bytes(bundle, f"{UPLOADS}/{name}", data, modified)
                files[name] = hashlib.sha256(data).hexdigest()
            manifest = Manifest(created, database.kind, sha256_of(dump), files, copied)
            _add_bytes(bundle, MANIFEST, manifest.to_json(), created.timestamp())
        partial.replace(archive)  # complete, or not there at all
    return archive, manifest


def _add_bytes(bundle: tarfile.TarFile, name: str, data: bytes, modified: float) -> None:
    entry = tarfile.TarInfo(name)
    entry.size = len(data)
    entry.mtime = int(modified)
    entry.mode = 0o600
    bundle.addfile(entry, io.BytesIO(data))


# Restore -------------------------------------------------------------------------------------


def check_archive(archive: Path, work: Path) -> Manifest:
    """Unpack `archive` into the empty folder `work` and check it against its manifest, this
    code and this database. Nothing else is touched."""
    try:
        _unpack(archive, work)
        manifest = Manifest.from_json((work / MANIFEST).read_bytes())
    except (
        tarfile.TarError,
        EOFError,
        zlib.error,
        ValueError,
        FileNotFoundError,
        FileExistsError,
    ) as error:
        raise BackupError(
            _(
                "%(path)s is not a Tiến độ backup, or it is damaged (%(error)s).",
                path=archive,
                error=error,
            )
        ) from None
    expected = {f"{UPLOADS}/{name}": sha256 for name, sha256 in manifest.files.items()}
    expected[DATABASE_FILES[manifest.kind]] = manifest.database_sha256
    found = {path.relative_to(work).as_posix(): sha256_of(path) for path in files_below(work)}
    found.pop(MANIFEST)
    for name in sorted(expected.keys() | found.keys()):
        if expected.get(name) != found.get(name):
            raise BackupError(
                _(
                    "%(path)s is damaged: %(name)s does not match the archive's manifest.",
                    path=archive,
                    name=name,
                )
            )
    _check_revision(manifest.copied.revision)
    database = live_database()
    if database.kind != manifest.kind:
        raise BackupError(
            _(
                "This is a backup of a %(archived)s database, and this deployment uses "
                "%(current)s.",
                archived=KIND_NAMES[manifest.kind],
                current=KIND_NAMES[database.kind],
            )
        )
    database.check(manifest)
    return manifest


def _unpack(archive: Path, work: Path) -> None:
    """Only what `backup` writes: regular files, never a link nor a path out of `work`."""
    with tarfile.open(archive, "r:gz") as bundle:
        for entry in bundle:
            name = PurePosixPath(entry.name)
            if entry.isdir() and name.parts[:1] == (UPLOADS,):
                continue
            if not (
                entry.isfile()
                and ".." not in name.parts
                and not name.is_absolute()
                and (name.parts[0] == UPLOADS or entry.name in {MANIFEST, *DATABASE_FILES.values()})
            ):
                raise ValueError(f"“{entry.name}”")
            target = work.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.extractfile(entry) as source, target.open("xb") as copy:
                shutil.copyfileobj(source, copy)


def _check_revision(revision: str | None) -> None:
    """Refuse a database from a migration this code does not have (a newer version)."""
    scripts = ScriptDirectory(migrate.directory)
    try:
        known = revision is not None and scripts.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            _(
                "This backup comes from a newer version of Tiến độ: its database is at migration "
                "%(revision)s, which this code does not have (its newest is %(head)s). Update "
                "the code first (docs/deploy.md, “Upgrades”), then restore.",
                revision=revision,
                head=scripts.get_current_head(),
            )
        )


def restore_checked(manifest: Manifest, work: Path) -> None:
    """Replace the database and the uploaded files with those `check_archive` unpacked and
    checked in `work`."""
    database = live_database()
    if isinstance(database, PostgreSQLDatabase):
        database.drop_tables_not_in(manifest)
    database.load(work / DATABASE_FILES[manifest.kind])
    # The folder may be a mount point: it stays, its content is replaced.
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if (work / UPLOADS).is_dir():
        for child in (work / UPLOADS).iterdir():
            shutil.move(child, folder / child.name)


# Command line --------------------------------------------------------------------------------


@contextmanager
def operator_errors() -> Iterator[None]:
    """What went wrong as a message, never as a traceback."""
    try:
        yield
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except (SQLAlchemyError, sqlite3.Error) as error:
        raise click.ClickException(
            _(
                "The database could not be read or written: %(error)s",
                error=getattr(error, "orig", None) or error,
            )
        ) from None
    except OSError as error:  # a full disk, a folder the service user may not write...
        raise click.ClickException(str(error)) from None


def describe(manifest: Manifest) -> str:
    return _(
        "Backup of %(time)s UTC: %(kind)s database at migration %(revision)s, %(rows)d rows "
        "in %(tables)d tables, %(files)d uploaded files.",
        time=f"{manifest.created_at:%Y-%m-%d %H:%M:%S}",
        kind=KIND_NAMES[manifest.kind],
        revision=manifest.copied.revision,
        rows=sum(manifest.copied.tables.values()),
        tables=len(manifest.copied.tables),
        files=len(manifest.files),
    )


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the archive into (default: backups/ in the instance folder)",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Write the database and the uploaded files into one archive, tiendo-<UTC time>.tar.gz;
    safe while the application runs. The last line printed is the archive's path."""
    with operator_errors():
        archive, manifest = make_backup(output or Path(current_app.instance_path) / "backups")
    click.echo(describe(manifest))
    click.echo(str(archive))


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--yes",
    is_flag=True,
    help="Replace the whole database and every uploaded file with the backup's",
)
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Replace the database and the uploaded files with those of a backup, after checking it
    whole. Without --yes, only checks the archive."""
    with (
        operator_errors(),
        tempfile.TemporaryDirectory(
            prefix=".tiendo-restore-", dir=current_app.instance_path
        ) as work,
    ):
        manifest = check_archive(archive, Path(work))
        click.echo(describe(manifest))
        if not yes:
            click.echo(
                _(
                    "The archive is whole. Nothing was restored: restoring replaces the whole "
                    "database and every uploaded file with the backup's, and everything entered "
                    "since %(time)s UTC is lost. Stop the web and scheduler services, then run "
                    "the command again with --yes.",
                    time=f"{manifest.created_at:%Y-%m-%d %H:%M:%S}",
                )
            )
            return
        restore_checked(manifest, Path(work))
    click.echo(_("Restored: the database and the uploaded files are those of the backup."))
    head = ScriptDirectory(migrate.directory).get_current_head()
    if manifest.copied.revision != head:
        click.echo(
            _(
                "The database is at migration %(revision)s and this code at %(head)s: run "
                "`flask --app app db upgrade` before starting the services.",
                revision=manifest.copied.revision,
                head=head,
            )
        )
