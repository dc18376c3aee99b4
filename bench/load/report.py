"""The load test's report: the table of requests by category, the goals, the check of the
revisions against the saves, and the machine. Pure: measures in, text out."""

import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.load.setup import Counts

# Goals of issue 7: no error; p95 under 300 ms for pages and under 150 ms for entry saves.
PAGE_P95_GOAL_MS = 300
ENTRY_P95_GOAL_MS = 150
CATEGORIES = (("page", "pages"), ("entry", "entry saves"), ("export", "exports"))


@dataclass
class Measures:
    when: datetime
    machine: dict[str, str]
    users: int
    seconds: float
    think: float
    workers: int
    result: dict
    plan: dict
    before: Counts
    after: Counts
    load: tuple[tuple[float, float, float], list[float], tuple[float, float, float]]
    access_log: list[str] = field(default_factory=list)  # gunicorn's, docs/deploy/gunicorn.conf.py
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the run, by part


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Row:
    label: str
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int

    @classmethod
    def of(cls, label: str, records: list, seconds: float) -> "Row":
        """Latencies of all the records; the rate of those that ended while the clock ran."""
        latencies = sorted(record[3] * 1000 for record in records)
        ended = sum(1 for record in records if record[2] + record[3] <= seconds)
        return cls(
            label,
            len(records),
            ended / seconds if seconds else math.nan,
            percentile(latencies, 0.50),
            percentile(latencies, 0.95),
            percentile(latencies, 0.99),
            sum(1 for record in records if not record[4]),
        )

    def line(self) -> str:
        rate = "-" if math.isnan(self.per_second) else f"{self.per_second:.1f}"
        return (
            f"{self.label:<28} {self.count:>7} {rate:>7} {self.p50:>7.0f} "
            f"{self.p95:>7.0f} {self.p99:>7.0f} {self.errors:>6}"
        )


HEADER = (
    f"{'requests':<28} {'count':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
    f"{'errors':>6}"
)


# A line of gunicorn's access log (docs/deploy/gunicorn.conf.py): time, request, status... ms
ACCESS_LINE = re.compile(
    r'\[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" '
    r"(?P<status>\d+) .* (?P<ms>\d+)ms$"
)


def server_times(lines: list[str], since: datetime) -> dict[str, list[float]]:
    """Milliseconds gunicorn spent on each request of the run (from reading it to sending the
    last byte: without the wait in the listen queue), by category."""
    times: dict[str, list[float]] = defaultdict(list)
    since = since.replace(microsecond=0) - timedelta(seconds=1)
    for line in lines:
        found = ACCESS_LINE.search(line.strip())
        if not found or datetime.strptime(found["time"], "%d/%b/%Y:%H:%M:%S %z") < since:
            continue
        path, method = found["path"], found["method"]
        if path.startswith("/login") or (method == "GET" and "/progress/units/" in path):
            continue  # signing in, reading the entry form again after a refused save
        if method == "POST":
            category = "entry"
        elif path.split("?")[0].endswith(".xlsx"):
            category = "export"
        else:
            category = "page"
        times[category].append(float(found["ms"]))
    return times


def check_revisions(measures: Measures) -> tuple[list[str], bool]:
    """Every save the client saw succeed is exactly one new revision of its cell."""
    saved = {
        tuple(int(part) for part in key.split("-")): count
        for key, count in measures.result["saved"].items()
    }
    before, after = measures.before, measures.after
    cells_saved = sum(saved.values())
    revisions_added = after.revisions - before.revisions
    created = sum(1 for key, count in saved.items() if count and before.cells[key][0] == 0)
    entries_added = after.entries - before.entries
    wrong = []
    for key in after.cells:
        expected = before.cells[key][0] + saved.get(key, 0)
        revision, rows = after.cells[key]
        if revision != expected or rows != revision:
            wrong.append(f"{key}: revision {revision} with {rows} rows, {expected} expected")
    ok = revisions_added == cells_saved and entries_added == created and not wrong
    saves = sum(1 for record in measures.result["records"] if record[0] == "entry" and record[4])
    lines = [
        f"saves: {saves} accepted by the server, changing {cells_saved} cells "
        f"({len(measures.plan['reporters'][0]['indicator_ids']) if saves else 0} per save)",
        f"database: entry_revisions +{revisions_added} (expected {cells_saved}), "
        f"entries +{entries_added} (expected {created}: cells without an entry before), "
        f"{len(after.cells) - len(wrong)} of {len(after.cells)} cells at the expected revision "
        "with one revision row per revision",
        "=> nothing lost, nothing duplicated" if ok else "=> MISMATCH: " + "; ".join(wrong[:5]),
    ]
    if measures.result["uncertain"]:
        lines.append(f"saves with an unknown outcome: {len(measures.result['uncertain'])}")
    return lines, ok


def render(measures: Measures) -> tuple[str, bool]:
    result = measures.result
    elapsed = measures.seconds  # requests per second: those that ended within the clock
    records = [record for record in result["records"] if record[0] != "sign-in"]
    sign_ins = [record for record in result["records"] if record[0] == "sign-in"]
    machine = measures.machine
    lines = [
        f"Load test of {measures.when:%Y-%m-%d %H:%M} UTC: {measures.users} users for "
        f"{measures.seconds:g} s (think time {measures.think:g} s × 0.5–1.5), "
        f"gunicorn {measures.workers} sync workers, {machine['database']}",
        f"machine: {machine['cpus']} CPUs {machine['machine']}, {machine['memory']} memory, "
        f"Python {machine['python']}; client and server on 127.0.0.1",
        "",
        HEADER,
        "-" * len(HEADER),
    ]
    by_category = defaultdict(list)
    by_name = defaultdict(list)
    for record in records:
        by_category[record[0]].append(record)
        by_name[(record[0], record[1])].append(record)
    rows = {}
    for category, label in CATEGORIES:
        rows[category] = Row.of(label, by_category[category], elapsed)
        lines.append(rows[category].line())
    lines.append(Row.of("all", records, elapsed).line())
    lines.append("")
    for category, _label in CATEGORIES:
        names = sorted(name for kind, name in by_name if kind == category)
        if category == "entry":
            continue
        for name in names:
            lines.append(Row.of(f"  {name}", by_name[(category, name)], elapsed).line())
    # Before the clock: a rate would mean nothing.
    lines.append(Row.of("sign-in (before the clock)", sign_ins, 0).line())
    served = server_times(measures.access_log, measures.when)
    if served:
        lines += ["", "time in gunicorn (access log; without the wait for a free worker):"]
        for category, label in CATEGORIES:
            values = sorted(served.get(category, []))
            if values:
                lines.append(
                    f"  {label:<26} p50 {percentile(values, 0.5):>6.0f} ms   "
                    f"p95 {percentile(values, 0.95):>6.0f} ms   "
                    f"mean {statistics.mean(values):>6.0f} ms"
                )
    if measures.cpu and records:
        server = measures.cpu.get("gunicorn", 0.0) + measures.cpu.get("database", 0.0)
        cpus = int(machine["cpus"])
        lines += [
            "",
            "CPU time during the run: "
            + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in measures.cpu.items())
            + f"; {1000 * server / len(records):.0f} ms of server CPU (gunicorn + database) "
            f"per request, so {cpus} idle CPUs would serve at most about "
            f"{cpus * len(records) / server:.0f} requests/s of this mix; the server had "
            f"{server / result['elapsed']:.2f} of the {cpus} CPUs on average",
        ]
    errors = sum(row.errors for row in rows.values())
    page_ok = rows["page"].p95 < PAGE_P95_GOAL_MS
    entry_ok = rows["entry"].p95 < ENTRY_P95_GOAL_MS
    lines += [
        "",
        f"requests begun within the {measures.seconds:g} s, the last ended after "
        f"{result['elapsed']:.1f} s; req/s: those that ended within the {measures.seconds:g} s; "
        "share of requests: "
        + ", ".join(
            f"{label} {100 * rows[category].count / max(1, len(records)):.0f}%"
            for category, label in CATEGORIES
        ),
        "goals: "
        + f"0 errors: {'met' if errors == 0 else f'MISSED ({errors})'}; "
        + f"pages p95 < {PAGE_P95_GOAL_MS} ms: "
        + f"{'met' if page_ok else 'MISSED'} ({rows['page'].p95:.0f} ms); "
        + f"entry saves p95 < {ENTRY_P95_GOAL_MS} ms: "
        + f"{'met' if entry_ok else 'MISSED'} ({rows['entry'].p95:.0f} ms)",
    ]
    revision_lines, revisions_ok = check_revisions(measures)
    lines += revision_lines
    before, during, after = measures.load
    peak = max(during, default=math.nan)
    lines.append(
        f"load average (1 min): {before[0]:.2f} before, {peak:.2f} at most during, "
        f"{after[0]:.2f} after"
    )
    if result["problems"]:
        lines.append("first errors: " + "; ".join(result["problems"][:5]))
    return "\n".join(lines), errors == 0 and revisions_ok
