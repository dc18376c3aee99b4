"""Reviews (sơ kết) and the final report (tổng kết): a briefing over a range of days, compared
between its first week and its last, drafted, published and corrected like a day's briefing,
with the same pages, files, API and delivery, addressed by the period key
"2022-06-06..2022-06-19".

Campaign BT of tests/briefing_world.py (P1 → D1{C11, C12}, D2{C21}; HS, a ratio flow reported
by communes, target 50% on P1; the group XA of every commune), with a second indicator, DV
"Số dịch vụ có hồ sơ trực tuyến" (a count stock reported by communes, target 10 on P1 and
none below), and figures beyond 10/06:

    HS (numerator/denominator, summed over a period)    DV (levels; each unit's last one
    day     C11    C12    C21                               on or before a period's end)
    05/06   4/4                 (before the review)       C11  3 on 08/06, 5 on 16/06,
    10/06   2/4    1/4    3/4   (briefing_world.py)            9 on 21/06
    15/06   6/6    2/6    0/6                             C21  2 on 12/06
    18/06   5/6    4/6
    20/06                 4/4   (after the review)

The review of 06/06–19/06 (14 days): first week 06–12/06, last week 13–19/06.
- P1: HS (2+1+3 + 6+2+0 + 5+4) / (12 + 18 + 12) = 23/42 = 54,76%; DV 5 + 2 = 7 (C11's 5 of
  16/06, not its 9 of 21/06). Score 100 × (min(0,5476 ÷ 0,5; 1) + 7 ÷ 10) ÷ 2 = 85 (good).
  First week HS 6/12 = 50%, DV 3 + 2 = 5; last week HS (6+2+0+5+4) / 30 = 17/30 = 56,67%,
  DV 7: changes +6,67 points and +2. Campaign to 19/06: HS (4 + 23) / (4 + 42) = 27/46.
- Districts (HS only: DV has no target below P1, so it is left out of their scores):
      D1  20/32 = 62,5% → 100, 1st   first week 3/8 = 37,5% → 75 (2nd)   last 17/24 → 100 (1st)
      D2  3/10 = 30% → 60, 2nd       first week 3/4 → 100 (1st)          last 0/6 → 0 (2nd)
  D1 moves up 1 place (+25 points), D2 down 1 (−100).
- Communes (XA): C11 13/16 → 100, 1st (first week 2/4 → 100, 1st; last 11/12 → 100, 1st);
  C12 7/16 = 43,75% → 87,5, 2nd (1/4 → 50, 3rd; 6/12 → 100, 1st: +2 places, +50);
  C21 3/10 → 60, 3rd (3/4 → 100, 1st; 0/6 → 0, 3rd: −2 places, −100).
- Days of the review without any figure: C11 9 (it entered on 08, 10, 15, 16 and 18/06), C12
  11 (10, 15, 18/06), C21 11 (10, 12, 15/06).

"Today" is 20/06/2022 unless a test says otherwise.
"""

import io
from datetime import date

import docx
import openpyxl
import pytest
from sqlalchemy import select

from app.db import db
from app.outbox.models import OutgoingMessage
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from targets.briefings import api, controllers
from targets.briefings.delivery import email_subject
from targets.briefings.models import Briefing
from targets.briefings.notice import briefing_docx
from targets.briefings.operations import draft_correction, draft_review, publish
from targets.briefings.queries import BriefingPeriod, parse_period_key, period_key
from targets.briefings.subscriptions import subscribe
from targets.briefings.text import TEXT_LIMIT, briefing_text
from targets.briefings.workbook import briefing_xlsx
from tests.briefing_world import CODE, build_campaign
from tests.factories import (
    enter_figures_for_test,
    local_moment,
    make_campaign,
    make_indicator,
    make_token,
    set_targets_for_test,
)
from tests.html import element, field_error, text_in, texts_of_class
from tests.pages import english, get, post

TODAY = date(2022, 6, 20)
START, END = date(2022, 6, 6), date(2022, 6, 19)
KEY = "2022-06-06..2022-06-19"
ARCHIVE = f"/campaigns/{CODE}/briefings"
R1 = f"{ARCHIVE}/{KEY}/v1"
R2 = f"{ARCHIVE}/{KEY}/v2"
API = f"/api/v1/campaigns/{CODE}"
FIGURES = {
    date(2022, 6, 5): {("C11", "HS"): (4, 4)},
    date(2022, 6, 8): {("C11", "DV"): (3, None)},
    date(2022, 6, 12): {("C21", "DV"): (2, None)},
    date(2022, 6, 15): {("C11", "HS"): (6, 6), ("C12", "HS"): (2, 6), ("C21", "HS"): (0, 6)},
    date(2022, 6, 16): {("C11", "DV"): (5, None)},
    date(2022, 6, 18): {("C11", "HS"): (5, 6), ("C12", "HS"): (4, 6)},
    date(2022, 6, 20): {("C21", "HS"): (4, 4)},
    date(2022, 6, 21): {("C11", "DV"): (9, None)},
}


def add_services(campaign) -> None:
    make_indicator(
        campaign,
        "DV",
        kind="count",
        measure="stock",
        name="Số dịch vụ có hồ sơ trực tuyến",
        unit_kinds=["commune"],
    )


def build() -> None:
    """Campaign BT with DV and every figure above, committed (inside an app context)."""
    build_campaign(add_services)
    campaign = campaign_by_code(CODE)
    set_targets_for_test(campaign, {("P1", "DV"): 10})
    for day, figures in FIGURES.items():
        enter_figures_for_test(
            campaign,
            {(unit, indicator, day): values for (unit, indicator), values in figures.items()},
            at=f"{day.isoformat()} 15:00",
        )
    db.session.commit()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    for module in (controllers, api):
        monkeypatch.setattr(module, "local_today", lambda: TODAY)


@pytest.fixture
def campaign(app, world):
    with app.app_context():
        build()


@pytest.fixture
def review(app_context, world) -> Briefing:
    """The review of 06/06–19/06, drafted on 20/06 at 08:00."""
    build()
    briefing, _made = draft_review(
        campaign_by_code(CODE), START, END, user=None, now=local_moment("2022-06-20 08:00")
    )
    db.session.commit()
    return briefing


def drafted(app, *, published: bool = False) -> None:
    with app.app_context():
        briefing, _made = draft_review(campaign_by_code(CODE), START, END, user=None)
        if published:
            publish(briefing, user=None, now=local_moment("2022-06-20 09:00"))
        db.session.commit()


def rows(content: dict, group: str) -> dict[str, dict]:
    found = next(g for g in content["groups"] if g["key"] == group)
    return {row["unit"]: row for row in found["rows"]}


# --- the period key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "end", "key"),
    [
        ("daily", date(2022, 7, 29), date(2022, 7, 29), "2022-07-29"),
        ("review", date(2022, 7, 1), date(2022, 7, 31), "2022-07-01..2022-07-31"),
        # A review of one day is not the day's briefing.
        ("review", date(2022, 7, 29), date(2022, 7, 29), "2022-07-29..2022-07-29"),
    ],
)
def test_a_period_key_names_a_day_or_a_range_and_reads_back(kind, start, end, key):
    briefing = Briefing(kind=kind, start_date=start, end_date=end)

    assert period_key(briefing) == key
    assert parse_period_key(key) == BriefingPeriod(kind, start, end)


@pytest.mark.parametrize(
    "key",
    [
        "2022-07-31..2022-07-01",  # the last day before the first
        "2022-07-01..",
        "..2022-07-31",
        "2022-07-01...2022-07-31",
        "2022-07-01..2022-07-31..2022-08-31",
        "2022-02-30",
        "29/07/2022",
        "20220729",
        "",
    ],
)
def test_anything_else_is_no_period(key):
    assert parse_period_key(key) is None


# --- what a review says -------------------------------------------------------------------------


def test_a_review_adds_up_its_range_flows_summed_and_stocks_at_their_last_level(review):
    content = review.content

    assert (content["kind"], content["title"]) == ("review", "Sơ kết từ 06/06/2022 đến 19/06/2022")
    assert (content["day"], content["window"]) == ("2022-06-19", "range")
    assert content["period"] == {"start": "2022-06-06", "end": "2022-06-19"}
    assert content["compared"] == {
        "first": {"start": "2022-06-06", "end": "2022-06-12"},
        "last": {"start": "2022-06-13", "end": "2022-06-19"},
    }
    hs, dv = content["indicators"]
    # HS: 23/42 over the range; the 4/4 of 05/06 and of 20/06 are outside it.
    assert (hs["window"]["numerator"], hs["window"]["denominator"]) == (23, 42)
    assert hs["window"]["value"] == pytest.approx(23 / 42)
    assert hs["campaign"]["value"] == pytest.approx(27 / 46)
    # DV: C11's level of 16/06 (5) and C21's of 12/06 (2); its 9 of 21/06 comes after.
    assert dv["window"]["value"] == 7
    assert (dv["target"], dv["achievement"]) == (10, pytest.approx(0.7))
    assert (content["score"], content["band"]) == (85, "good")
    # From the first week to the last: HS 6/12 → 17/30, DV 5 → 7.
    assert hs["previous"] == pytest.approx(0.5)
    assert hs["change"] == pytest.approx(17 / 30 - 0.5)
    assert (dv["previous"], dv["change"]) == (5, 2)
    # The communes' level: first week → the whole range.
    [communes] = content["levels"]
    assert communes["indicators"]["HS"] == {"first_week": 0.5, "now": pytest.approx(23 / 42)}
    assert communes["indicators"]["DV"] == {"first_week": 5, "now": 7}


def test_a_review_ranks_over_its_range_and_moves_from_its_first_week_to_its_last(review):
    content = review.content

    districts = rows(content, "P1/district")
    assert [(code, row["rank"], row["score"]) for code, row in districts.items()] == [
        ("D1", 1, 100),
        ("D2", 2, 60),
    ]
    assert {
        code: (row["movement_7d"], row["score_change_7d"]) for code, row in districts.items()
    } == {
        "D1": (1, 25),
        "D2": (-1, -100),
    }
    communes = rows(content, "XA")
    assert [(code, row["rank"], row["score"]) for code, row in communes.items()] == [
        ("C11", 1, 100),
        ("C12", 2, 87.5),
        ("C21", 3, 60),
    ]
    assert {
        code: (row["movement_7d"], row["score_change_7d"]) for code, row in communes.items()
    } == {
        "C11": (0, 0),
        "C12": (2, 50),
        "C21": (-2, -100),
    }
    # A review has no day before to move from.
    assert {row["movement_1d"] for row in [*districts.values(), *communes.values()]} == {None}
    # Praise and criticism over the range, worded from the first week to the last.
    found = {(line["reason"], line["unit"]): line["text"] for line in content["items"]}
    assert found[("most_improved", "C12")] == (
        "Xã Đức Quang: tăng 50 điểm từ tuần đầu đến tuần cuối, từ 50 lên 100 điểm."
    )
    assert ("most_improved", "D1") in found and ("score_drop", "D2") in found
    assert ("bottom_of_group", "C21") in found and ("top_of_group", "C11") in found
    # Not one of the 14 days has both indicators from any commune.
    assert found[("repeatedly_missing", "C11")].startswith("Xã Đức Trung: có 14/14 ngày")
    assert not any(reason == "missing_report" for reason, _unit in found)
    assert content["not_reported"] == [
        {"unit": "C11", "name": "Xã Đức Trung", "kind": "commune", "days": 9},
        {"unit": "C12", "name": "Xã Đức Quang", "kind": "commune", "days": 11},
        {"unit": "C21", "name": "Thị trấn Thanh Bình", "kind": "commune", "days": 11},
    ]


def test_the_final_report_covers_the_whole_campaign(app_context, world):
    build()
    campaign = campaign_by_code(CODE)

    report, made = draft_review(campaign, date(2022, 6, 1), date(2022, 8, 31), user=None)

    content = report.content
    assert made and content["title"] == "Báo cáo tổng kết chiến dịch"
    assert content["compared"] == {
        "first": {"start": "2022-06-01", "end": "2022-06-07"},
        "last": {"start": "2022-08-25", "end": "2022-08-31"},
    }
    hs, dv = content["indicators"]
    # Every HS figure: 4/4 + 23/42 + 4/4 = 31/50; DV at 31/08: C11's 9 and C21's 2.
    assert hs["window"]["value"] == pytest.approx(31 / 50)
    assert dv["window"]["value"] == 11
    assert content["score"] == 100  # both targets met (62% ≥ 50%, 11 ≥ 10)
    # In the first week (01–07/06) only C11 entered HS (4/4 → 100), the others count 0; no
    # commune entered anything in the last week (25–31/08).
    assert {code: row["score_change_7d"] for code, row in rows(content, "XA").items()} == {
        "C11": -100,
        "C12": 0,
        "C21": 0,
    }
    # One day short of the campaign is a review, not the final report.
    other, _made = draft_review(campaign, date(2022, 6, 1), date(2022, 8, 30), user=None)
    assert other.content["title"] == "Sơ kết từ 01/06/2022 đến 30/08/2022"


# --- publishing and correcting ------------------------------------------------------------------


def test_a_published_review_is_frozen_and_its_correction_says_what_changed(review):
    publish(review, user=None, now=local_moment("2022-06-20 09:00"))
    db.session.commit()
    campaign = review.campaign
    # C21's 15/06 becomes 6/6: P1's HS over the range 29/42, D2 (3 + 6) / 10 = 90% → 100,
    # ranked 1st with D1; its last week 6/6 → 100, so it no longer drops.
    enter_figures_for_test(
        campaign, {("C21", "HS", date(2022, 6, 15)): (6, 6)}, at="2022-06-20 10:00"
    )
    db.session.commit()
    db.session.expire_all()

    assert review.content["indicators"][0]["window"]["numerator"] == 23
    correction, made = draft_correction(review, user=None)

    assert made and (correction.kind, correction.version) == ("review", 2)
    assert (correction.start_date, correction.end_date) == (START, END)
    changes = correction.changes
    window = next(c for c in changes if c["what"] == "indicator" and c["window"] == "window")
    assert (window["indicator"], window["before"], window["after"]) == (
        "HS",
        pytest.approx(23 / 42),
        pytest.approx(29 / 42),
    )
    ranks = {c["unit"]: (c["before"], c["after"]) for c in changes if c["what"] == "rank"}
    assert ranks["D2"] == ([2, 60], [1, 100])
    assert ranks["C21"] == ([3, 60], [1, 100])  # (3 + 6) / 10 → 100, tied with C11
    removed = {(c["reason"], c["unit"]) for c in changes if c["what"] == "item_removed"}
    assert {("score_drop", "D2"), ("bottom_of_group", "D2")} <= removed
    # Only the correction's draft moved; a second press opens it again.
    assert draft_correction(review, user=None) == (correction, False)


# --- the outputs --------------------------------------------------------------------------------


def document_paragraphs(content: bytes) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs]


def test_the_notice_chat_text_and_workbook_of_a_review(review):
    notice = docx.Document(io.BytesIO(briefing_docx(review)))
    paragraphs = [paragraph.text for paragraph in notice.paragraphs]
    subject = "Sơ kết kết quả thực hiện Chiến dịch BT từ ngày 06/06/2022 đến ngày 19/06/2022"
    assert paragraphs[1:3] == ["THÔNG BÁO", subject]  # under "DỰ THẢO"
    assert notice.core_properties.title == subject
    assert notice.tables[0].rows[1].cells[0].text == "Số: …/TB"

    text = briefing_text(review)
    assert len(text) <= TEXT_LIMIT
    assert text.splitlines()[0].startswith("Chiến dịch BT – Sơ kết từ 06/06/2022 đến 19/06/2022")
    assert "Tỉnh Một, từ 06/06/2022 đến 19/06/2022:" in text.splitlines()
    assert "Xã Đức Quang: tăng 50 điểm từ tuần đầu đến tuần cuối" in text

    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(review)))
    figures = book[book.sheetnames[0]]
    hs = [cell.value for cell in figures[6]]
    # Code, name, the last day (no HS on 19/06), the range, its numerator and denominator.
    assert hs[:6] == ["HS", "Tỷ lệ hồ sơ trực tuyến", None, pytest.approx(23 / 42), 23, 42]
    assert hs[10] == pytest.approx(17 / 30 - 0.5)  # first week → last
    communes = book[book.sheetnames[3]]
    assert [[cell.value for cell in row][:5] for row in communes.iter_rows(min_row=6)] == [
        [1, None, 0, "C11", "Xã Đức Trung"],
        [2, None, 2, "C12", "Xã Đức Quang"],
        [3, None, -2, "C21", "Thị trấn Thanh Bình"],
    ]
    missing = book[book.sheetnames[-3]]
    first = next(missing.iter_rows(min_row=6))
    assert [cell.value for cell in first] == ["C11", "Xã Đức Trung", "Cấp xã", 9]


def test_a_final_report_is_a_report_numbered_bc(app_context, world):
    build()
    report, _made = draft_review(
        campaign_by_code(CODE), date(2022, 6, 1), date(2022, 8, 31), user=None
    )

    notice = docx.Document(io.BytesIO(briefing_docx(report)))

    assert notice.tables[0].rows[1].cells[0].text == "Số: …/BC"
    assert len(briefing_text(report)) <= TEXT_LIMIT
    assert openpyxl.load_workbook(io.BytesIO(briefing_xlsx(report))).sheetnames


@pytest.fixture
def english_documents(make_app, world):
    """An application whose documents are written in English (the source language), so the
    words of a review are read as written, whatever the catalog says."""
    application = make_app(BABEL_DEFAULT_LOCALE="en")
    with application.app_context():
        build()
        yield campaign_by_code(CODE)


def test_a_review_reads_from_the_first_week_to_the_last(english_documents):
    review, _made = draft_review(english_documents, START, END, user=None)

    text = briefing_text(review).splitlines()
    notice = briefing_docx(review)
    paragraphs = document_paragraphs(notice)

    assert text[0] == (
        "Chiến dịch BT – Review from 06/06/2022 to 19/06/2022 (draft) – Day 19 of 92, 73 days left"
    )
    assert text[3] == (
        "- Tỷ lệ hồ sơ trực tuyến: 54.76% (target 50%), +6.7 percentage points from the first "
        "week to the last"
    )
    assert text[4] == (
        "- Số dịch vụ có hồ sơ trực tuyến: 7 (target 10), +2 from the first week to the last, "
        "behind schedule"
    )
    assert (
        "Not reported every day (3): Xã Đức Trung (9 days), Xã Đức Quang (11 days), "
        "Thị trấn Thanh Bình (11 days)." in text
    )
    assert (
        "People's Committee of Tỉnh Một gives notice of the results from 06/06/2022 to "
        "19/06/2022 as follows:" in paragraphs
    )
    assert "Each level: the first week of the period → the whole period." in paragraphs
    header = [cell.text for cell in docx.Document(io.BytesIO(notice)).tables[1].rows[0].cells]
    assert header[1:3] == ["The last day", "Whole period"]
    ranking = docx.Document(io.BytesIO(notice)).tables[3]
    assert ranking.rows[0].cells[4].text == "Movement from the first week to the last"
    assert [row.cells[4].text for row in ranking.rows[1:]] == ["+1", "-1"]
    assert email_subject(review) == "[Tiến độ] Review BT from 06/06/2022 to 19/06/2022"

    report, _made = draft_review(english_documents, date(2022, 6, 1), date(2022, 8, 31), user=None)

    assert email_subject(report) == "[Tiến độ] Final report BT"
    paragraphs = document_paragraphs(briefing_docx(report))
    assert paragraphs[1:3] == [
        "REPORT",
        "Final report on the results of Chiến dịch BT from 01/06/2022 to 31/08/2022",
    ]


def test_publishing_a_review_mails_it_and_posts_it_to_the_webhook(english_documents):
    campaign = english_documents
    campaign.webhook_url = "https://hooks.example.vn/tiendo"
    viewer = user_by_username("viewer")
    viewer.email = "lanh.dao@example.vn"
    subscribe(campaign, viewer)
    review, _made = draft_review(campaign, START, END, user=None)

    publish(review, user=None, now=local_moment("2022-06-20 09:00"))

    messages = {m.dedupe_key: m for m in db.session.scalars(select(OutgoingMessage))}
    mail = messages[f"briefing:{review.id}:email:{viewer.id}"]
    assert mail.subject == "[Tiến độ] Review BT from 06/06/2022 to 19/06/2022"
    page = f"http://127.0.0.1:5000{R1}"
    assert mail.body.endswith(f"The review: {page}")
    assert [a.filename for a in mail.attachments] == ["so-ket-BT-20220606-20220619-v1.docx"]
    hook = messages[f"briefing:{review.id}:webhook"].payload
    assert {key: hook[key] for key in ("kind", "date", "start_date", "end_date")} == {
        "kind": "review",
        "date": "2022-06-19",
        "start_date": "2022-06-06",
        "end_date": "2022-06-19",
    }
    assert hook["url"] == page
    assert hook["links"]["docx"] == f"http://127.0.0.1:5000{API}/briefings/{KEY}/v1.docx"


# --- the pages ----------------------------------------------------------------------------------


def reviews(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        return [
            (period_key(b), b.version, b.status)
            for b in db.session.scalars(db.select(Briefing).order_by(Briefing.version))
        ]


def test_an_admin_drafts_a_review_from_the_archive(app, campaign, login):
    admin = english(login("admin"))
    page = get(admin, ARCHIVE)
    # "Today" 20/06: results open on 19/06; the campaign runs until 31/08, so no final report.
    assert texts_of_class(element(page, "review-choices"), "review-choice") == [
        "The last 7 days (13/06/2022–19/06/2022)",
        "The month so far (01/06/2022–19/06/2022)",
    ]
    assert 'id="no-reviews"' in page

    response = post(admin, f"{ARCHIVE}/reviews", {"start": "2022-06-06", "end": "19/06/2022"})

    assert response.headers["Location"] == R1
    assert reviews(app) == [(KEY, 1, "draft")]
    archive = get(admin, ARCHIVE)
    listed = text_in(archive, f"review-{KEY}")
    assert "Review 06/06/2022–19/06/2022" in listed and "version 1" in listed
    assert f'href="{R1}"' in element(archive, f"review-{KEY}")
    assert 'id="no-briefings"' in archive  # the daily list is apart
    # Drafting the same range again opens the same draft.
    again = post(admin, f"{ARCHIVE}/reviews", {"start": "2022-06-06", "end": "2022-06-19"})
    assert again.headers["Location"] == R1
    assert reviews(app) == [(KEY, 1, "draft")]
    # Readers see a draft review neither listed nor at its address.
    viewer = english(login("viewer"))
    assert 'id="no-reviews"' in get(viewer, ARCHIVE)
    assert 'id="draft-review"' not in get(viewer, ARCHIVE)
    get(viewer, R1, status=403)
    get(viewer, f"{ARCHIVE}/{KEY}", status=404)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("", "2022-06-19", "start", "Please fill in this field."),
        ("06.06.2022", "2022-06-19", "start", "Not a date"),
        ("2022-05-31", "2022-06-19", "start", "is not a day of the campaign"),
        ("2022-06-19", "2022-06-06", "end", "The last day is before the first."),
        ("2022-06-06", "2022-06-21", "end", "has not come yet"),  # tomorrow
    ],
)
def test_a_range_that_cannot_be_reviewed_is_refused_next_to_its_field(
    app, campaign, login, start, end, field, message
):
    admin = english(login("admin"))

    response = post(admin, f"{ARCHIVE}/reviews", {"start": start, "end": end}, status=422)

    assert message in field_error(response.get_data(as_text=True), field)
    assert reviews(app) == []


def test_today_is_the_last_day_a_review_may_cover(app, campaign, login):
    admin = login("admin")

    post(admin, f"{ARCHIVE}/reviews", {"start": "2022-06-20", "end": "2022-06-20"})

    assert reviews(app) == [("2022-06-20..2022-06-20", 1, "draft")]


def test_the_final_report_is_offered_once_the_campaign_has_ended_or_is_closed(
    app, campaign, login, monkeypatch
):
    admin = english(login("admin"))
    final = "The final report (01/06/2022–31/08/2022)"
    # The last day, 31/08: not over yet.
    monkeypatch.setattr(controllers, "local_today", lambda: date(2022, 8, 31))
    assert final not in texts_of_class(get(admin, ARCHIVE), "review-choice")
    with app.app_context():
        campaign_by_code(CODE).status = CampaignStatus.CLOSED
        db.session.commit()
    assert final in texts_of_class(get(admin, ARCHIVE), "review-choice")
    with app.app_context():
        campaign_by_code(CODE).status = CampaignStatus.ACTIVE
        db.session.commit()
    monkeypatch.setattr(controllers, "local_today", lambda: date(2022, 9, 1))
    page = get(admin, ARCHIVE)
    # Results open on the last day: the last week and month are the campaign's.
    assert texts_of_class(page, "review-choice") == [
        "The last 7 days (25/08/2022–31/08/2022)",
        "The month so far (01/08/2022–31/08/2022)",
        final,
    ]

    response = post(admin, f"{ARCHIVE}/reviews", {"start": "2022-06-01", "end": "2022-08-31"})

    final_key = "2022-06-01..2022-08-31"
    assert response.headers["Location"] == f"{ARCHIVE}/{final_key}/v1"
    listed = text_in(get(admin, ARCHIVE), f"review-{final_key}")
    assert "Final report 01/06/2022–31/08/2022" in listed


def test_the_review_page_shows_the_range_its_figures_and_movements(app, campaign, login):
    drafted(app, published=True)

    page = get(english(login("viewer")), R1)

    assert text_in(page, "briefing-title") == "Sơ kết từ 06/06/2022 đến 19/06/2022"
    assert "06/06/2022–19/06/2022" in text_in(page, "briefing-window")
    hs = element(page, "indicator-HS")
    assert texts_of_class(hs, "indicator-value") == ["54.76%"]  # 23/42
    assert "The last day" in text_in(page, "indicator-HS")
    assert texts_of_class(element(page, "indicator-DV"), "indicator-value") == ["7"]
    districts = element(page, "group-P1-district")
    assert texts_of_class(districts, "movement") == ["▲1", "▼1"]  # D1, D2
    assert texts_of_class(element(page, "group-XA"), "movement") == ["–", "▲2", "▼2"]
    assert text_in(page, "not-reported") == (
        "Not reported Xã Đức Trung (9 days), Xã Đức Quang (11 days), Thị trấn Thanh Bình (11 days)"
    )
    # The newest version the reader may see, by the period key alone.
    latest = get(english(login("viewer")), f"{ARCHIVE}/{KEY}")
    assert text_in(latest, "briefing-version") == "version 1"


@pytest.mark.parametrize(
    "key",
    [
        "2022-06-19..2022-06-06",  # backwards
        "2022-06-06...2022-06-19",
        "2022-06-06..19-06-2022",
        "2022-06-06..2022-06-20",  # a range without a review
        "2022-06-19",  # the day, which has no briefing
    ],
)
def test_a_bad_or_unknown_period_key_is_404(app, campaign, login, key):
    drafted(app, published=True)
    viewer = login("viewer")

    get(viewer, f"{ARCHIVE}/{key}/v1", status=404)
    get(viewer, f"{ARCHIVE}/{key}/v1.txt", status=404)
    get(viewer, f"{ARCHIVE}/{key}", status=404)


def test_a_review_is_published_after_confirmation_and_corrected(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))
    page = get(admin, R1)
    assert f'href="{R1}/publish"' in page and f'action="{R1}/refresh"' in page
    assert "06/06/2022–19/06/2022" in text_in(page, "briefing-window")

    confirm = get(admin, f"{R1}/publish")

    assert "Publish the review of 06/06/2022–19/06/2022?" in confirm
    assert reviews(app) == [(KEY, 1, "draft")]
    post(admin, f"{R1}/publish")
    assert reviews(app) == [(KEY, 1, "published")]
    assert "The review of 06/06/2022–19/06/2022 is published" in get(admin, R1)

    # C21's 15/06 becomes 6/6 (see the correction test above): HS 23/42 → 29/42.
    with app.app_context():
        enter_figures_for_test(
            campaign_by_code(CODE),
            {("C21", "HS", date(2022, 6, 15)): (6, 6)},
            at="2022-06-20 10:00",
        )
        db.session.commit()
    assert post(admin, f"{R1}/correction").headers["Location"] == R2
    page = get(admin, R2)
    assert text_in(page, "briefing-version") == "version 2 (correction)"
    assert any(
        "54,76% → 69,05%" in line
        for line in texts_of_class(element(page, "changes"), "change-line")
    )
    assert f'href="{R1}"' in element(page, "versions")
    post(admin, f"{R2}/publish")
    assert reviews(app) == [(KEY, 1, "published"), (KEY, 2, "published")]


def test_the_workflow_on_a_review_draft(app, campaign, login):
    drafted(app)
    admin = english(login("admin"))
    with app.app_context():
        line = next(
            item
            for item in db.session.scalar(db.select(Briefing)).items
            if item.reason == "score_drop"
        )

    post(admin, f"{R1}/edit", {"number": "7", "directions": "Các xã báo cáo đủ."})
    post(admin, f"{R1}/items/{line.id}/drop", {"note": "Đã nhắc riêng"})
    post(admin, f"{R1}/items", {"section": "praise", "unit": "C11", "text": "Xã Đức Trung: tốt."})
    post(admin, f"{R1}/refresh")

    with app.app_context():
        briefing = db.session.scalar(db.select(Briefing))
        assert (briefing.number, briefing.directions) == ("7", "Các xã báo cáo đủ.")
        kept = {(item.reason, item.unit_id): item for item in briefing.items}
        assert kept[(line.reason, line.unit_id)].dropped
        assert any(item.added and item.text == "Xã Đức Trung: tốt." for item in briefing.items)
    paragraphs = document_paragraphs(admin.get(f"{R1}.docx").get_data())
    assert "Các xã báo cáo đủ." in paragraphs
    assert "- Xã Đức Trung: tốt." in paragraphs


def test_a_reviews_files_charts_print_view_and_share_link(app, campaign, client, login):
    drafted(app, published=True)
    viewer = login("viewer")

    for extension in ("txt", "docx", "xlsx"):
        response = viewer.get(f"{R1}.{extension}")
        assert response.status_code == 200
        assert (
            f"so-ket-BT-20220606-20220619-v1.{extension}" in response.headers["Content-Disposition"]
        )
    text = viewer.get(f"{R1}.txt").get_data().decode("utf-8")
    assert len(text) <= TEXT_LIMIT and text.startswith("Chiến dịch BT – Sơ kết từ 06/06/2022")
    assert document_paragraphs(viewer.get(f"{R1}.docx").get_data())[1] == (
        "Sơ kết kết quả thực hiện Chiến dịch BT từ ngày 06/06/2022 đến ngày 19/06/2022"
    )
    assert openpyxl.load_workbook(io.BytesIO(viewer.get(f"{R1}.xlsx").get_data())).sheetnames
    for name in ("trend-HS", "trend-DV", "ranking-1", "ranking-2"):
        response = viewer.get(f"{R1}/charts/{name}.png")
        assert response.status_code == 200 and response.get_data().startswith(b"\x89PNG")
    assert f'href="{R1}"' in get(viewer, f"{R1}/print")

    page = post(english(login("admin")), f"{R1}/share", status=200).get_data(as_text=True)

    assert "the review of 06/06/2022–19/06/2022 (version 1)" in page
    shared = text_in(page, "share-url").removeprefix(app.config["BASE_URL"])
    assert text_in(get(client, shared), "briefing-title") == "Sơ kết từ 06/06/2022 đến 19/06/2022"


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture
def tokens(app, campaign, world) -> dict[str, str]:
    with app.app_context():
        found = {name: make_token(user_by_username(name)) for name in world.users}
        db.session.commit()
    return found


def call(client, method: str, path: str, token: str, status: int, **options) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    response = client.open(path, method=method, headers=headers, **options)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_the_api_drafts_reads_and_publishes_a_review(app, client, tokens):
    body = {"start": "2022-06-06", "end": "2022-06-19"}

    made = call(client, "POST", f"{API}/reviews", tokens["admin"], 201, json=body)

    assert {key: made[key] for key in ("kind", "date", "start_date", "end_date")} == {
        "kind": "review",
        "date": "2022-06-19",
        "start_date": "2022-06-06",
        "end_date": "2022-06-19",
    }
    assert (made["version"], made["status"], made["window"]) == (1, "draft", "range")
    assert made["title"] == "Sơ kết từ 06/06/2022 đến 19/06/2022"
    assert made["indicators"][0]["value"] == pytest.approx(23 / 42)
    assert ("C12", "most_improved") in {(line["unit"], line["reason"]) for line in made["praise"]}
    base = app.config["BASE_URL"]
    assert made["links"] == {
        extension: f"{base}{API}/briefings/{KEY}/v1.{extension}"
        for extension in ("xlsx", "docx", "txt")
    }
    assert made["url"] == f"{base}{R1}"
    assert call(client, "POST", f"{API}/reviews", tokens["admin"], 200, json=body) == made

    read = f"{API}/reviews/2022-06-06/2022-06-19"
    assert call(client, "GET", read, tokens["admin"], 200) == made
    call(client, "GET", read, tokens["viewer"], 404)  # a draft only
    call(client, "GET", made["links"]["txt"].removeprefix(base), tokens["viewer"], 403)

    published = call(client, "POST", f"{read}/publish", tokens["admin"], 200)

    assert published["status"] == "published"
    assert call(client, "GET", read, tokens["viewer"], 200)["status"] == "published"
    call(client, "POST", f"{read}/publish", tokens["admin"], 409)  # nothing left to publish
    docx_file = client.get(
        made["links"]["docx"].removeprefix(base),
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
    )
    assert docx_file.status_code == 200
    assert document_paragraphs(docx_file.get_data())[1].startswith("Sơ kết kết quả thực hiện")
    # The final report is a review of the campaign's first day to its last.
    call(client, "GET", f"{API}/reviews/2022-06-19/2022-06-06", tokens["viewer"], 404)
    call(client, "GET", f"{API}/briefings/2022-06-19..2022-06-06/v1.txt", tokens["viewer"], 404)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"end": "2022-06-19"}, "start", "Give the review's first day, as yyyy-mm-dd."),
        ({"start": "2022-06-06"}, "end", "Give the review's last day, as yyyy-mm-dd."),
        ({"start": "06/06/2022", "end": "2022-06-19"}, "start", "Not a date"),
        ({"start": "2022-06-06", "end": "2022-06-21"}, "end", "has not come yet"),
        ({"start": "2022-05-31", "end": "2022-06-19"}, "start", "is not a day of the campaign"),
        ({"start": "2022-06-19", "end": "2022-06-06"}, "end", "The last day is before the first."),
    ],
)
def test_the_api_refuses_a_wrong_range(app, client, tokens, body, field, message):
    refused = call(client, "POST", f"{API}/reviews", tokens["admin"], 422, json=body)

    assert [(error["field"], message in error["message"]) for error in refused["errors"]] == [
        (field, True)
    ]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Briefing.id))) == 0


def test_the_api_refuses_who_may_not_and_what_cannot_be(app, client, tokens):
    body = {"start": "2022-06-06", "end": "2022-06-19"}

    call(client, "POST", f"{API}/reviews", tokens["viewer"], 403, json=body)
    call(client, "POST", f"{API}/reviews", tokens["manager"], 403, json=body)
    call(client, "GET", f"{API}/reviews/2022-06-06/2022-06-19", tokens["manager"], 403)
    call(client, "POST", f"{API}/reviews/2022-06-06/2022-06-19/publish", tokens["admin"], 409)
    with app.app_context():
        make_campaign("EMPTY", "P1", status=CampaignStatus.ACTIVE)
        db.session.commit()
    call(client, "POST", "/api/v1/campaigns/EMPTY/reviews", tokens["admin"], 409, json=body)
