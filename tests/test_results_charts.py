"""Charts of the results (targets/results/charts.py): what each chart draws, worked out by
hand; the PNG it gives; its cache (same data → the same file, changed entry or target → a new
drawing, bounded, written atomically); and matplotlib used without pyplot.

The campaign runs 10 days (01–10/06/2022) on P1: HS, a ratio flow (target 50% on P1,
inherited), and HN, a count flow (own target 10 on C11), both for communes. C11 enters
HS 2/10, 4/10, 6/10 on 01, 02 and 03/06, and HN 1 on 01/06 and 1 on 03/06.
"""

import ast
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from app import create_app
from app.config import Config
from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from targets.results import charts, engine
from targets.results.rules import Band
from tests.factories import (
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    set_targets_for_test,
)

ROOT = Path(__file__).resolve().parent.parent
START = date(2022, 6, 1)
DAY = date(2022, 6, 3)
CAMPAIGN_DAYS = [START + timedelta(days=n) for n in range(10)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def campaign(app, world):
    with app.app_context():
        created = make_campaign(
            "BD", "P1", start=START, end=date(2022, 6, 10), status=CampaignStatus.ACTIVE
        )
        make_indicator(created, "HS", unit_kinds=["commune"], name="Tỷ lệ hồ sơ trực tuyến")
        make_indicator(created, "HN", "count", unit_kinds=["commune"], name="Số hội nghị")
        set_targets_for_test(created, {("P1", "HS"): 0.5, ("C11", "HN"): 10})
        enter_figures_for_test(
            created,
            {
                ("C11", "HS", date(2022, 6, 1)): (2, 10),
                ("C11", "HS", date(2022, 6, 2)): (4, 10),
                ("C11", "HS", date(2022, 6, 3)): (6, 10),
                ("C11", "HN", date(2022, 6, 1)): (1, None),
                ("C11", "HN", date(2022, 6, 3)): (1, None),
            },
            at="2022-06-04 09:00",
        )
        db.session.commit()


@pytest.fixture
def drawn(monkeypatch):
    """The data of every chart actually drawn (not served from the cache)."""
    calls = []
    for name in ("draw_trend", "draw_ranking"):
        original = getattr(charts, name)

        def spy(data, original=original):
            calls.append(data)
            return original(data)

        monkeypatch.setattr(charts, name, spy)
    return calls


def trend(code: str = "HS", unit: str = "C11", window: str = "day", language: str = "en"):
    found = campaign_by_code("BD")
    indicator = next(i for i in found.indicators if i.code == code)
    return charts.trend_chart(found, unit_by_code(unit), indicator, DAY, window, language=language)


def ranking(language: str = "en") -> bytes:
    group = engine.Group("commune", unit_by_code("D1"))
    return charts.ranking_chart(campaign_by_code("BD"), group, DAY, "day", language=language)


def size_of(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png.startswith(PNG_SIGNATURE)
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def cached_files(app) -> list[Path]:
    folder = Path(app.config["CHART_CACHE_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


# --- what a trend chart draws ----------------------------------------------------------------


def test_a_trend_chart_is_a_png_the_width_of_a_phone(app, campaign, drawn):
    with app.app_context():
        png = trend()
    assert size_of(png) == (640, 320)
    assert len(drawn) == 1


def test_a_ratio_trend_draws_the_figure_target_and_forecast(app, campaign, drawn):
    with app.app_context():
        trend("HS")
    data = drawn[0]
    assert data.title == "Tỷ lệ hồ sơ trực tuyến"
    assert data.is_ratio
    assert (data.start, data.end) == (START, date(2022, 6, 10))
    assert data.values == (
        (date(2022, 6, 1), 0.2),
        (date(2022, 6, 2), 0.4),
        (date(2022, 6, 3), 0.6),
    )
    assert data.targets == (0.5,) * 10  # P1's target, on every day of the campaign
    assert data.trajectory is None  # no baseline, no milestone: the target line is the path
    # The line through 20%, 40%, 60% rises 20 points a day: 200% on day 9, kept at 100%.
    assert data.forecast == ((DAY, 0.6), (date(2022, 6, 10), 1.0))
    assert (data.value_label, data.target_label, data.forecast_label) == (
        "Day",
        "Target",
        "Forecast",
    )
    assert not data.empty


def test_a_baseline_draws_the_trajectory_from_it_to_the_target(app, campaign, drawn):
    with app.app_context():
        set_targets_for_test(campaign_by_code("BD"), baselines={("C11", "HS"): (216, 1000)})
        db.session.commit()
        trend("HS")
    # 21,6% on 01/06 to 50% on 10/06, 9 days: + 28,4/9 points a day.
    assert drawn[0].trajectory == pytest.approx(
        [0.216 + 0.284 * n / 9 for n in range(10)], abs=1e-12
    )
    # 04/06, 3 days in: 21,6 + 28,4 × 3/9 = 31,07%.
    assert drawn[0].trajectory[3] == pytest.approx(0.31067, abs=1e-5)


def test_a_flow_count_is_held_to_its_share_of_the_window_days(app, campaign, drawn):
    with app.app_context():
        set_targets_for_test(campaign_by_code("BD"), baselines={("C11", "HN"): (0, None)})
        db.session.commit()
        trend("HN", window="day")
        trend("HN", window="campaign")
    by_day, to_date = drawn
    # One day: 10 × 1/10 = 1 each day; no entry on 02/06 leaves a gap. The trajectory runs
    # to the campaign's total, so it is not drawn against one day's figure.
    assert by_day.values == ((date(2022, 6, 1), 1), (date(2022, 6, 2), None), (DAY, 1))
    assert by_day.targets == pytest.approx([1.0] * 10)
    assert by_day.trajectory is None
    assert not by_day.is_ratio
    # Campaign to date: 10 × n/10 = n on the n-th day; the trajectory from 0 to 10.
    assert to_date.values == ((date(2022, 6, 1), 1), (date(2022, 6, 2), 1), (DAY, 2))
    assert to_date.targets == pytest.approx([float(n) for n in range(1, 11)])
    assert to_date.trajectory == pytest.approx([10 * n / 9 for n in range(10)])
    assert to_date.value_label == "Campaign to date"


def test_an_indicator_without_figures_draws_an_empty_chart(app, campaign, drawn):
    with app.app_context():
        png = trend("HS", unit="C12")
    assert size_of(png) == (640, 320)
    assert drawn[0].empty
    assert drawn[0].empty_label == "No figures yet"
    assert drawn[0].values == tuple((when, None) for when in CAMPAIGN_DAYS[:3])
    assert drawn[0].forecast is None


# --- the ranking chart -----------------------------------------------------------------------


def test_a_ranking_chart_draws_the_group_best_first_coloured_by_band(app, campaign, drawn):
    with app.app_context():
        png = ranking()
    assert size_of(png) == (640, 320)
    data = drawn[0]
    assert data.title == "Commune units of Huyện Đức Hợp"
    # On 03/06: C11 HS 6/10 → 1,2 (1), HN 1 of 10 × 1/10 = 1 → 1: 100,00. C12 entered
    # nothing: 0,00.
    assert data.rows == (
        ("Xã Đức Trung", 100.0, Band.EXCELLENT),
        ("Xã Đức Quang", 0.0, Band.WEAK),
    )
    assert data.bands == ((Band.EXCELLENT, "Excellent"), (Band.WEAK, "Weak"))


def test_a_long_ranking_grows_taller(app):
    rows = tuple((f"Xã {n}", float(n), Band.WEAK) for n in range(20))
    data = charts.RankingData("Xã", "vi", rows, ((Band.WEAK, "Yếu"),), "Điểm", "–")
    # 1,1 in of margins + 20 bars × 0,28 in = 6,7 in at 100 dpi.
    assert size_of(charts.draw_ranking(data)) == (640, 670)


def test_names_are_drawn_as_written_never_as_mathematics(app):
    # matplotlib reads text between dollar signs as mathematics; a stray "\\frac" breaks it.
    name = "Xã $\\frac{1}{0$"
    ranking_data = charts.RankingData(name, "vi", ((name, 50.0, Band.AVERAGE),), (), "Điểm", "–")
    trend_data = charts.TrendData(
        name, "vi", True, START, DAY, ((START, 0.5),), (0.5, 0.5, 0.5), None, None,
        "Ngày", "Chỉ tiêu", "Lộ trình", "Dự báo", "Chưa có số liệu",
    )  # fmt: skip
    assert size_of(charts.draw_ranking(ranking_data)) == (640, 320)
    assert size_of(charts.draw_trend(trend_data)) == (640, 320)


# --- the cache -------------------------------------------------------------------------------


def test_the_same_chart_twice_is_drawn_once(app, campaign, drawn):
    with app.app_context():
        first = trend()
        second = trend()
        ranking()
        ranking()
    assert first == second
    assert len(drawn) == 2
    assert [path.suffix for path in cached_files(app)] == [".png", ".png"]


def test_a_changed_entry_draws_the_chart_again(app, campaign, drawn):
    with app.app_context():
        trend()
        ranking()
        enter_figures_for_test(
            campaign_by_code("BD"), {("C11", "HS", DAY): (1, 10)}, at="2022-06-04 10:00"
        )
        db.session.commit()
        trend()
        ranking()
    assert len(drawn) == 4
    assert drawn[2].values[-1] == (DAY, 0.1)
    # C11 HS 1/10 against 50%: 0,2; HN 1: (0,2 + 1)/2 = 60,00, average.
    assert drawn[3].rows[0] == ("Xã Đức Trung", 60.0, Band.AVERAGE)
    assert len(cached_files(app)) == 4  # the old pictures wait to be pruned


def test_a_changed_target_draws_the_chart_again(app, campaign, drawn):
    with app.app_context():
        trend()
        set_targets_for_test(campaign_by_code("BD"), {("P1", "HS"): 0.8})
        db.session.commit()
        trend()
    assert len(drawn) == 2
    assert drawn[1].targets == (0.8,) * 10


def test_each_language_has_its_own_chart(app, campaign, drawn):
    with app.app_context():
        trend(language="en")
        trend(language="vi")
        trend(language="vi")
    assert len(drawn) == 2
    assert (drawn[0].locale, drawn[1].locale) == ("en", "vi")
    assert drawn[0].value_label == "Day"
    assert drawn[1].value_label != "Day"  # "Ngày", from the catalog


def test_the_cache_keeps_the_most_recently_served_charts(app, campaign, drawn):
    app.config["CHART_CACHE_MAX_FILES"] = 2
    now = time.time()
    with app.app_context():
        trend("HS")
        (hs,) = cached_files(app)
        os.utime(hs, (now - 300, now - 300))
        trend("HN")
        (hn,) = [path for path in cached_files(app) if path != hs]
        os.utime(hn, (now - 200, now - 200))
        trend("HS")  # served from the cache: now the most recent
        assert hs.stat().st_mtime > now - 100
        trend("HS", window="week")  # a third picture: the least recently served goes
    assert len(drawn) == 3
    assert hs in cached_files(app)
    assert hn not in cached_files(app)
    assert len(cached_files(app)) == 2


def test_a_cache_that_cannot_be_written_still_serves_the_chart(app, campaign, drawn, monkeypatch):
    def refuse(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(charts.os, "replace", refuse)
    with app.app_context():
        png = trend()
    assert png.startswith(PNG_SIGNATURE)
    assert cached_files(app) == []  # and no temporary file left behind


# --- configuration ---------------------------------------------------------------------------


def test_the_cache_folder_defaults_to_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("CHART_CACHE_FOLDER", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "test")
    assert create_app(Config).config["CHART_CACHE_FOLDER"] == str(
        tmp_path / "instance" / "cache" / "charts"
    )
    monkeypatch.setenv("CHART_CACHE_FOLDER", str(tmp_path / "charts"))
    assert create_app(Config).config["CHART_CACHE_FOLDER"] == str(tmp_path / "charts")


# --- matplotlib without pyplot ---------------------------------------------------------------


def test_no_results_module_imports_pyplot():
    offenders = []
    for path in (ROOT / "targets" / "results").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            if any(name in ("matplotlib.pyplot", "pylab") for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_drawing_a_chart_loads_no_pyplot():
    script = """
import sys
from datetime import date
from targets.results import charts
from targets.results.rules import Band

trend = charts.TrendData(
    "Tỷ lệ", "vi", True, date(2022, 6, 1), date(2022, 6, 3),
    ((date(2022, 6, 1), 0.2), (date(2022, 6, 2), 0.4)), (0.5, 0.5, 0.5), None,
    ((date(2022, 6, 2), 0.4), (date(2022, 6, 3), 0.6)), "Ngày", "Chỉ tiêu", "Lộ trình",
    "Dự báo", "Chưa có số liệu",
)
ranking = charts.RankingData("Xã", "vi", (("Xã Đức Hợp", 91.5, Band.EXCELLENT),),
    ((Band.EXCELLENT, "Xuất sắc"),), "Điểm", "–")
assert charts.draw_trend(trend).startswith(b"\\x89PNG")
assert charts.draw_ranking(ranking).startswith(b"\\x89PNG")
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
"""
    finished = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
