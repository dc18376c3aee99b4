"""Whether the browser tests can run here, and the loud line at the end of a run when they
could not.

They need Debian's Chromium (/usr/bin/chromium: `apt-get install chromium`, which .ci/run does)
and Playwright for Python (requirements-dev.txt, which `make test` installs); Playwright's own
browser downloads are never used. TEST_CHROMIUM names another Chromium, e.g. a missing one to
see the skip.

`pytest_terminal_summary` is imported by tests/conftest.py: the conftest of tests/browser/ is
not loaded by the xdist controller, which writes the summary, nor when it skips itself.
"""

import importlib.util
import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium"))
SKIPPED = "BROWSER TESTS SKIPPED"


def why_not() -> str | None:
    """None when the browser tests can run; otherwise why not and what to do."""
    if not CHROMIUM.is_file():
        return (
            f"{SKIPPED}: no Chromium at {CHROMIUM} "
            "(sudo apt-get install -y chromium; .ci/run installs it)"
        )
    if importlib.util.find_spec("playwright") is None:
        return f"{SKIPPED}: Playwright for Python is not installed (make test installs it)"
    return None


def pytest_terminal_summary(terminalreporter) -> None:
    """A red banner, after everything else, when the browser tests were skipped: a skip among
    the many of the -ra list would go unnoticed."""
    reasons = {
        report.longrepr[2]
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and SKIPPED in report.longrepr[2]
    }
    for reason in sorted(reasons):
        terminalreporter.write_sep("!", reason.removeprefix("Skipped: "), red=True, bold=True)
