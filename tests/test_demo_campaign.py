"""The demo's 92-day campaign: what `flask --app app demo` puts in, checked against DESIGN §9
with figures worked out by hand."""

import pytest
from sqlalchemy import func, select

from app.db import db
from app.demo import load_demo
from app.units.queries import unit_by_code
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from campaigns.tasks.models import Task, TaskAssignment, TaskStatus
from targets.models import Baseline, Milestone, Target, TargetRevision
from tests.conftest import log_in

CODE = "CD92-2022"


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()


def baseline_of(code: str, indicator: str) -> tuple[int, int | None]:
    campaign = campaign_by_code(CODE)
    indicator_id = next(i.id for i in campaign.indicators if i.code == indicator)
    row = db.session.scalar(
        select(Baseline).where(
            Baseline.unit_id == unit_by_code(code).id, Baseline.indicator_id == indicator_id
        )
    )
    return row.numerator, row.denominator


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_campaign_and_its_indicators(app, demo):
    with app.app_context():
        campaign = campaign_by_code(CODE)
        assert campaign.status == CampaignStatus.ACTIVE
        assert (campaign.start_date.isoformat(), campaign.end_date.isoformat()) == (
            "2022-06-01",
            "2022-08-31",
        )
        assert campaign.legal_basis == "Kế hoạch 170/KH-UBND"
        assert [i.code for i in campaign.indicators] == [
            "DVC_PHAT_SINH",
            "HS_TRUC_TUYEN",
            "SO_HOA",
            "BAO_CAO_TT",
            "DUNG_HAN",
        ]


def test_baselines_reproduce_the_seed_figures(app, demo):
    with app.app_context():
        # The whole province before the campaign: 21,62% of dossiers online (DESIGN §9).
        online, dossiers = baseline_of("70", "HS_TRUC_TUYEN")
        assert (online, dossiers) == (12_152, 56_209)
        assert round(online / dossiers * 100, 2) == 21.62
        # Văn phòng Đăng ký đất đai 15,13%.
        online, dossiers = baseline_of("70-VPDKDD", "HS_TRUC_TUYEN")
        assert round(online / dossiers * 100, 2) == 15.13
        # The other 17 agencies together 82,89%: 8 × 100 + 9 × 99 online of 17 × 120.
        agencies = [
            "70-BQLKKT",
            "70-SCT",
            "70-SGDDT",
            "70-SGTVT",
            "70-SKHCN",
            "70-SKHDT",
            "70-SLDTBXH",
            "70-SNNPTNT",
            "70-SNV",
            "70-STC",
            "70-STNMT",
            "70-STP",
            "70-STTTT",
            "70-SVHTTDL",
            "70-SXD",
            "70-SYT",
            "70-VPUB",
        ]
        totals = [baseline_of(code, "HS_TRUC_TUYEN") for code in agencies]
        assert sum(t[0] for t in totals) == 8 * 100 + 9 * 99 == 1_691
        assert sum(t[1] for t in totals) == 17 * 120 == 2_040
        assert round(1_691 / 2_040 * 100, 2) == 82.89
        # 2,9% of dossiers settled late: 97,1% on time.
        assert baseline_of("70", "DUNG_HAN") == (48_550, 50_000)


def test_a_district_baseline_is_its_own_level_plus_its_communes(app, demo):
    with app.app_context():
        # Huyện Bù Đốp (693): its own 300 dossiers, 149 or 150 online, and 7 communes of 14.
        online, dossiers = baseline_of("693", "HS_TRUC_TUYEN")
        assert dossiers == 300 + 7 * 14
        communes = sum(
            baseline_of(code, "HS_TRUC_TUYEN")[0]
            for code in ("25308", "25309", "25310", "25312", "25315", "25318", "25321")
        )
        assert online - communes in (149, 150)


def test_targets_milestones_and_history(app, demo):
    with app.app_context():
        province_targets = db.session.scalars(
            select(Target).where(Target.unit_id == unit_by_code("70").id)
        ).all()
        assert sorted(round(t.value, 4) for t in province_targets) == [0.5, 0.5, 0.8, 1.0, 1.0]
        # 6 units above or below the 50% of online processing, and 2 communes of Lộc Ninh.
        assert count(Target) == 5 + 6 + 2
        assert count(Milestone) == 2
        assert count(TargetRevision) > 0


def test_tasks_and_forwarding(app, demo):
    with app.app_context():
        assert count(Task) == 3
        # 1 agency + 111 communes + 11 districts, and Bù Đốp's 7 communes forwarded.
        assert count(TaskAssignment) == 1 + 111 + 11 + 7
        forwarded = db.session.scalars(
            select(TaskAssignment).where(TaskAssignment.parent_id.is_not(None))
        ).all()
        assert {a.parent.unit.code for a in forwarded} == {"693"}
        assert sum(a.status == TaskStatus.DONE for a in forwarded) == 3


def test_running_the_demo_again_changes_nothing(app, demo):
    models = (Target, Baseline, Milestone, TargetRevision, Task, TaskAssignment)
    with app.app_context():
        before = [count(model) for model in models]
        load_demo()
        assert [count(model) for model in models] == before


def test_the_grid_of_loc_ninh_warns_that_its_communes_do_not_add_up(app, demo):
    client = log_in(app.test_client(), "admin", "tiendo-admin")
    client.get("/language/en")
    page = client.get(f"/campaigns/{CODE}/targets/units/692").get_data(as_text=True)
    # 2 communes at 40% and 14 at 50%, 14 dossiers each: (2 × 0,40 + 14 × 0,50) / 16 = 48,75%.
    assert "48.75% &lt; 50% of Huyện Lộc Ninh" in page
    # The province's own split adds up: its grid repeats the warning of its child Lộc Ninh
    # and has none of its own.
    province = client.get(f"/campaigns/{CODE}/targets/units/70").get_data(as_text=True)
    assert "48.75% &lt; 50% of Huyện Lộc Ninh" in province
    assert "of Tỉnh Bình Phước." not in province
