"""`make fuzz`: schemathesis against the API of a real server holding the demo data.

The server is the application in gunicorn (2 workers) on a database of its own, made for the
run: a SQLite file, or a schema of its own on FUZZ_DATABASE_URL's PostgreSQL server. It holds
the demo (`flask --app app demo`: Bình Phước's units, the demo users, campaign CD92-2022 with
its 92 days of figures, a published briefing). The admin's API token (`flask --app app users
token admin`, scope write) is sent with every request, so schemathesis reaches every
operation, writes included: the database is thrown away afterwards.

schemathesis reads /api/v1/openapi.json from the server and runs its phases (examples,
coverage, fuzzing, stateful) for at most FUZZ_SECONDS (default 300), FUZZ_EXAMPLES cases
(default 50) per operation and phase, with the checks of docs/fuzz.md. Its reports (JUnit
XML, and an NDJSON log of every request) go to FUZZ_REPORTS (default test-artifacts/fuzz/), the
server's log beside them. The exit status is schemathesis's: 0 when no check failed.
"""

import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tests.faults.live import (
    ROOT,
    environment,
    flask_command,
    fresh_database,
    migrated_app,
    web_server,
)

# The findings looked at and accepted (docs/fuzz.md, "Accepted findings"): a run fails only on
# others. schemathesis writes the file from a run when it does not exist.
BASELINE = ROOT / "bench" / "fuzz-baseline.json"

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
)


def flask(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        flask_command(*arguments), cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def schemathesis_version() -> str:
    from importlib.metadata import version

    return version("schemathesis")


def main() -> int:
    seconds = int(os.environ.get("FUZZ_SECONDS", "300"))
    examples = int(os.environ.get("FUZZ_EXAMPLES", "50"))
    reports = Path(os.environ.get("FUZZ_REPORTS", ROOT / "test-artifacts" / "fuzz")).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    server_url = os.environ.get("FUZZ_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="tiendo-fuzz-") as folder_name:
        folder = Path(folder_name)
        with fresh_database(folder, server_url) as database:
            with migrated_app(database, folder):
                pass
            env = environment(database, folder)
            print(f"Loading the demo into a new {database.kind} database…", flush=True)
            flask(env, "demo")
            token = flask(env, "users", "token", "admin").strip().splitlines()[-1]
            with web_server(env, workers=2) as server:
                schema = f"{server.url}/api/v1/openapi.json"
                command = [
                    str(Path(sys.executable).with_name("schemathesis")),
                    "--config-file",
                    str(ROOT / "bench" / "fuzz.toml"),
                    "run",
                    schema,
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--checks",
                    ",".join(CHECKS),
                    "--max-time",
                    str(seconds),
                    "--max-examples",
                    str(examples),
                    "--workers",
                    "1",
                    "--request-timeout",
                    "60",
                    "--seed",
                    os.environ.get("FUZZ_SEED", "7"),
                    "--report",
                    "junit,ndjson",
                    "--report-dir",
                    str(reports),
                    "--output-sanitize",
                    "true",
                    "--baseline",
                    str(BASELINE),
                ]
                started = datetime.now(UTC)
                print(
                    f"{started:%Y-%m-%d %H:%M} UTC; {platform.machine()}, {os.cpu_count()} cores;"
                    f" Python {platform.python_version()}; schemathesis"
                    f" {schemathesis_version()}; {database.kind}; at most {seconds} s,"
                    f" {examples} cases per operation and phase",
                    flush=True,
                )
                status = subprocess.run(command, cwd=ROOT, check=False).returncode
                (reports / "server.log").write_text(server.log + "\n")
    print(f"Reports in {reports}; server log in {reports / 'server.log'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
