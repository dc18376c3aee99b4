"""The simulated users of the load test: a process of its own, talking HTTP to gunicorn.

    python -m bench.load.client PLAN.json RESULT.json

Every simulated user is one asyncio task making one request at a time, from the mix (pages,
entries, exports), with a think time between them. It signs in twice, through the sign-in
form with its CSRF token, as a browser does: as the reporter of its own commune (for the
entries) and as a viewer of the province (for the pages and exports, which a reporter, who
reads only its own commune, could not open). Every request is timed from sending it to having
read the whole answer; the result file holds each one, and how many saves each cell got.
"""

import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import aiohttp

PAGE, ENTRY, EXPORT, SIGN_IN = "page", "entry", "export", "sign-in"
CLOCK_STARTED, CLOCK_STOPPED = "clock started", "clock stopped"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The figures a cell holds when its entry is missing (a missed day): a commune's usual day.
EMPTY_CELL = (20, 25)


class Forms(HTMLParser):
    """The POST forms of a page: their action and the inputs a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._inputs: list[tuple[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self._inputs = []
            self.forms.append((values.get("action", ""), self._inputs))
        elif tag == "input" and self._inputs is not None and values.get("name"):
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind not in ("submit", "button", "file"):
                self._inputs.append((values["name"], values.get("value", "")))
        elif tag == "textarea" and self._inputs is not None and values.get("name"):
            self._inputs.append((values["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inputs = None


def post_form(page: str, field_name: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the page's POST form that has a field starting so."""
    parser = Forms()
    parser.feed(page)
    for action, inputs in parser.forms:
        if any(name.startswith(field_name) for name, _value in inputs):
            return action, dict(inputs)
    raise LookupError(f"no form with a {field_name!r} field")


@dataclass
class Recorder:
    start: float = 0.0
    records: list[tuple[str, str, float, float, bool, int]] = field(default_factory=list)
    saved: dict[str, int] = field(default_factory=dict)  # "unit-indicator" → saves
    uncertain: list[str] = field(default_factory=list)  # saves whose outcome is unknown
    problems: list[str] = field(default_factory=list)  # what the first errors were

    def add(self, category: str, name: str, began: float, ok: bool, status: int) -> None:
        self.records.append(
            (category, name, began - self.start, time.monotonic() - began, ok, status)
        )

    def problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)


class User:
    def __init__(self, number: int, plan: dict, recorder: Recorder) -> None:
        self.plan = plan
        self.reporter = plan["reporters"][number]
        self.reader_name = plan["readers"][number]
        self.recorder = recorder
        self.random = random.Random(number)
        self.saves = 0
        self.form_action = ""
        self.form: dict[str, str] = {}
        self.base: dict[int, tuple[int, int]] = {}
        campaign = f"/campaigns/{plan['campaign']}"
        self.entry_url = (
            f"{campaign}/progress/units/{self.reporter['unit_code']}?date={plan['day']}"
        )
        briefing = f"{campaign}/briefings/{plan['briefing_day']}/v{plan['briefing_version']}"
        district = lambda: self.random.choice(plan["districts"])  # noqa: E731
        commune = lambda: self.random.choice(plan["communes"])  # noqa: E731
        province = plan["province"]
        self.pages = [
            ("overview", lambda: f"{campaign}/results/units/{province}"),
            ("unit page, district", lambda: f"{campaign}/results/units/{district()}"),
            ("unit page, commune", lambda: f"{campaign}/results/units/{commune()}"),
            ("matrix, province", lambda: f"{campaign}/results/matrix/{province}"),
            ("matrix, district", lambda: f"{campaign}/results/matrix/{district()}"),
            ("ranking", lambda: f"{campaign}/results/ranking"),
            ("who reported", lambda: f"{campaign}/progress/reports"),
            ("grid, district", lambda: f"{campaign}/progress/grid/{district()}?date={plan['day']}"),
        ]
        if plan["briefing_version"] is not None:
            self.pages += [
                ("briefing", lambda: briefing),
                ("briefing archive", lambda: f"{campaign}/briefings"),
            ]
        self.exports = [
            ("matrix.xlsx, province", lambda: f"{campaign}/results/matrix/{province}.xlsx"),
            ("ranking.xlsx", lambda: f"{campaign}/results/ranking.xlsx"),
            ("unit.xlsx, district", lambda: f"{campaign}/results/units/{district()}.xlsx"),
        ]
        if plan["briefing_version"] is not None:
            self.exports.append(("briefing.xlsx", lambda: f"{briefing}.xlsx"))

    # --- sessions ---------------------------------------------------------------------------

    def session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            base_url=self.plan["base_url"],
            # unsafe: keep the cookies of an address (127.0.0.1), not only of a host name
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=120),
        )

    async def sign_in(self, session: aiohttp.ClientSession, username: str) -> None:
        began = time.monotonic()
        async with session.get("/login") as response:
            page = await response.text()
        _action, fields = post_form(page, "password")
        fields.update(username=username, password=self.plan["password"])
        async with session.post("/login", data=fields, allow_redirects=False) as response:
            await response.read()
            ok = response.status == 302
        self.recorder.add(SIGN_IN, SIGN_IN, began, ok, response.status)
        if not ok:
            raise RuntimeError(f"{username} could not sign in ({response.status})")

    async def read_entry_form(self) -> None:
        """The entry page as the reporter opens it: the form, and the figures it shows."""
        async with self.reporter_session.get(self.entry_url) as response:
            page = await response.text()
            if response.status != 200:
                raise RuntimeError(f"{self.entry_url}: {response.status}")
        self.form_action, self.form = post_form(page, "num-")
        unit = self.reporter["unit_id"]
        for indicator in self.reporter["indicator_ids"]:
            numerator = self.form.get(f"num-{unit}-{indicator}", "")
            denominator = self.form.get(f"den-{unit}-{indicator}", "")
            if f"num-{unit}-{indicator}" not in self.form:
                raise RuntimeError(f"{self.entry_url}: no input for indicator {indicator}")
            if numerator.isdigit() and denominator.isdigit():
                self.base[indicator] = (int(numerator), int(denominator))
            else:
                self.base[indicator] = EMPTY_CELL

    async def start(self) -> None:
        self.reporter_session = self.session()
        self.reader_session = self.session()
        await self.sign_in(self.reporter_session, self.reporter["username"])
        await self.sign_in(self.reader_session, self.reader_name)
        await self.read_entry_form()

    async def close(self) -> None:
        await self.reporter_session.close()
        await self.reader_session.close()

    # --- the mix ----------------------------------------------------------------------------

    async def run(self, deadline: float) -> None:
        think = self.plan["think_seconds"]
        mix = self.plan["mix"]
        categories, weights = list(mix), list(mix.values())
        if think:  # the users do not all start in the same instant
            await asyncio.sleep(self.random.uniform(0, think))
        while time.monotonic() < deadline:
            category = self.random.choices(categories, weights)[0]
            if category == ENTRY:
                await self.save()
            else:
                name, url = self.random.choice(self.pages if category == PAGE else self.exports)
                await self.fetch(category, name, url())
            if think:  # no longer than the clock runs
                pause = self.random.uniform(0.5, 1.5) * think
                await asyncio.sleep(max(0.0, min(pause, deadline - time.monotonic())))

    async def fetch(self, category: str, name: str, url: str) -> None:
        began = time.monotonic()
        status = 0
        try:
            async with self.reader_session.get(url, allow_redirects=False) as response:
                body = await response.read()
                status = response.status
                ok = status == 200 and (
                    category != EXPORT or (response.content_type == XLSX and body[:2] == b"PK")
                )
        except (aiohttp.ClientError, TimeoutError) as error:
            ok = False
            self.recorder.problem(f"{url}: {error!r}")
        if not ok and status:
            self.recorder.problem(f"{url}: HTTP {status}")
        self.recorder.add(category, name, began, ok, status)

    async def save(self) -> None:
        """Change the reporter's cells to figures they did not hold, and save the form."""
        unit = self.reporter["unit_id"]
        step = 1 + self.saves % 9
        fields = dict(self.form)
        for indicator in self.reporter["indicator_ids"]:
            numerator, denominator = self.base[indicator]
            fields[f"num-{unit}-{indicator}"] = str(numerator + step)
            fields[f"den-{unit}-{indicator}"] = str(denominator + step)
        began = time.monotonic()
        status = 0
        try:
            async with self.reporter_session.post(
                self.form_action or self.entry_url, data=fields, allow_redirects=False
            ) as response:
                await response.read()
                status = response.status
                ok = status == 302 and "/progress/units/" in response.headers.get("Location", "")
        except (aiohttp.ClientError, TimeoutError) as error:
            ok = False
            self.recorder.problem(f"save {self.reporter['unit_code']}: {error!r}")
        self.recorder.add(ENTRY, "entry save", began, ok, status)
        if ok:
            self.saves += 1
            for indicator in self.reporter["indicator_ids"]:
                key = f"{unit}-{indicator}"
                self.recorder.saved[key] = self.recorder.saved.get(key, 0) + 1
                seen = f"seen-{unit}-{indicator}"
                self.form[seen] = str(int(self.form.get(seen) or 0) + 1)
                self.form[f"was-num-{unit}-{indicator}"] = fields[f"num-{unit}-{indicator}"]
                self.form[f"was-den-{unit}-{indicator}"] = fields[f"den-{unit}-{indicator}"]
            return
        # A refused save (422) wrote nothing; a server error or a broken connection may have.
        if status != 422:
            self.recorder.uncertain.append(self.reporter["unit_code"])
        self.recorder.problem(f"save {self.reporter['unit_code']}: HTTP {status}")
        await self.read_entry_form()  # start again from what the page shows now


async def main(plan: dict) -> dict:
    recorder = Recorder(start=time.monotonic())
    users = [User(number, plan, recorder) for number in range(len(plan["reporters"]))]
    try:
        # Everyone signs in and opens the entry page before the clock starts.
        await asyncio.gather(*(user.start() for user in users))
        recorder.start = time.monotonic()
        print(CLOCK_STARTED, flush=True)  # the orchestrator starts counting CPU time
        deadline = recorder.start + plan["seconds"]
        began_at = time.time()
        await asyncio.gather(*(user.run(deadline) for user in users))
        elapsed = time.monotonic() - recorder.start
        print(CLOCK_STOPPED, flush=True)
    finally:
        await asyncio.gather(*(user.close() for user in users if hasattr(user, "reader_session")))
    return {
        "started_at": began_at,
        "elapsed": elapsed,
        "records": recorder.records,
        "saved": recorder.saved,
        "uncertain": recorder.uncertain,
        "problems": recorder.problems,
    }


if __name__ == "__main__":
    plan_file, result_file = sys.argv[1:3]
    result = asyncio.run(main(json.loads(Path(plan_file).read_text())))
    Path(result_file).write_text(json.dumps(result))
