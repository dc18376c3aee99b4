"""The Department sets up the 92-day campaign by hand in the browser, from the template.

Every step is one page and one form, as an admin does it; the issue asks that it take under
five minutes. Ten form submissions, each checked for what it changed.
"""

from datetime import date

from sqlalchemy import select

from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from campaigns.tasks.models import Task
from targets.models import Baseline, Target
from tests.conftest import log_in


def target_of(code: str, unit_code: str, indicator_code: str) -> float | None:
    campaign = campaign_by_code(code)
    indicator = next(i for i in campaign.indicators if i.code == indicator_code)
    row = db.session.scalar(
        select(Target).where(
            Target.unit_id == unit_by_code(unit_code).id, Target.indicator_id == indicator.id
        )
    )
    return row.value if row else None


def test_admin_sets_up_the_92_day_campaign_from_the_template(app, world, monkeypatch):
    monkeypatch.setattr("campaigns.controllers.local_today", lambda: date(2022, 6, 1))
    admin = log_in(app.test_client(), "admin")
    admin.get("/language/en")

    # 1. A new campaign: the short form, scoring left at DESIGN §5's defaults.
    assert admin.get("/campaigns/new").status_code == 200
    created = admin.post(
        "/campaigns/new",
        data={
            "code": "CD92",
            "name": "Chiến dịch cao điểm 92 ngày đêm",
            "legal_basis": "Kế hoạch 170/KH-UBND",
            "owner_unit": "P1",
            "start_date": "2022-06-01",
            "end_date": "2022-08-31",
            "entry_deadline": "16:30",
            "lock_after_days": "3",
            "ranking_window": "week",
            "top_n": "3",
            "bottom_n": "3",
            "improvement_points": "10",
            "decline_points": "10",
            "below_target_percent": "50",
            "missing_days_limit": "3",
            "band_excellent": "90",
            "band_good": "80",
            "band_fair": "70",
            "band_average": "50",
            "briefing_time": "06:30",
            "reminder_time": "15:30",
            "webhook_url": "",
            "issuer_name": "Sở Thông tin và Truyền thông",
            "issuer_code": "STTTT",
            "place_name": "Bình Phước",
        },
    )
    assert created.headers["Location"] == "/campaigns/CD92"

    # 2. The campaign page offers the template as the next step; it asks before creating.
    page = admin.get("/campaigns/CD92").get_data(as_text=True)
    assert "/campaigns/CD92/targets/template" in page
    assert admin.get("/campaigns/CD92/targets/template").status_code == 200
    assert admin.post("/campaigns/CD92/targets/template").status_code == 302

    # 3. District D1 gets its own online-processing target; the rest inherit the 50%.
    with app.app_context():
        online = next(
            i.id for i in campaign_by_code("CD92").indicators if i.code == "HS_TRUC_TUYEN"
        )
    d1 = world.units["D1"]
    saved = admin.post(
        "/campaigns/CD92/targets/units/P1",
        data={f"target-{d1}-{online}": "60", f"original-{d1}-{online}": ""},
    )
    assert saved.status_code == 302

    # 4. D1's baseline before the campaign: 216 of 1.000 dossiers online.
    baseline = admin.post(
        "/campaigns/CD92/targets/units/D1/baselines?indicator=HS_TRUC_TUYEN",
        data={f"numerator-{d1}": "216", f"denominator-{d1}": "1.000"},
    )
    assert baseline.status_code == 302

    # 5. Two tasks: the conferences to one agency, a digital team in every commune.
    for form in (
        {
            "title": "Tổ chức 12 hội nghị tuyên truyền",
            "due_date": "31/08/2022",
            "owner_mode": "units",
            "unit_codes": "A1",
        },
        {
            "title": "Thành lập Tổ công nghệ số cộng đồng",
            "due_date": "30/06/2022",
            "owner_mode": "kind",
            "kind": "commune",
            "under_code": "P1",
        },
    ):
        assert admin.post("/campaigns/CD92/tasks/new", data=form).status_code == 302

    # 6. Start it, after the confirmation page.
    assert admin.get("/campaigns/CD92/activate").status_code == 200
    started = admin.post("/campaigns/CD92/activate", follow_redirects=True)
    assert "Day 1 of 92, 91 days left" in started.get_data(as_text=True)

    with app.app_context():
        campaign = campaign_by_code("CD92")
        assert campaign.status == CampaignStatus.ACTIVE
        assert (campaign.issuer_name, campaign.issuer_code, campaign.place_name) == (
            "Sở Thông tin và Truyền thông",
            "STTTT",
            "Bình Phước",
        )
        assert len(campaign.indicators) == 5
        assert target_of("CD92", "P1", "HS_TRUC_TUYEN") == 0.5
        assert target_of("CD92", "D1", "HS_TRUC_TUYEN") == 0.6
        assert target_of("CD92", "D2", "HS_TRUC_TUYEN") is None  # inherits 50%
        row = db.session.scalar(select(Baseline).where(Baseline.unit_id == d1))
        assert (row.numerator, row.denominator) == (216, 1000)
        tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
        assert [len(task.assignments) for task in tasks] == [1, 3]  # C11, C12, C21
