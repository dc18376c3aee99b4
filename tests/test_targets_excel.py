"""The Excel round trip of targets: download the pre-filled workbook, edit it with openpyxl,
upload it, read the preview, confirm; and every way a file or a row can be refused."""

import html
import io
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.db import db
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from targets.excel import SIGNATURE, SIGNATURE_SHEET
from targets.models import Baseline, Source, Target, TargetRevision
from targets.operations import TargetInput, set_targets
from tests.factories import make_campaign, make_indicator, make_units, set_targets_for_test

UPLOAD = "/campaigns/CD92/targets/upload"


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


@contextmanager
def english(app):
    with app.app_context(), force_locale("en"):
        yield


@pytest.fixture
def campaign(app, world):
    """CD92 on P1: HS (ratio), TEAM (count, communes); P1 HS 50%, C11 TEAM 20."""
    with app.app_context():
        created = make_campaign("CD92", "P1", status=CampaignStatus.ACTIVE)
        make_indicator(created, "HS", name="Tỷ lệ hồ sơ trực tuyến")
        make_indicator(created, "TEAM", "count", "stock", unit_kinds=["commune"], name="Số tổ")
        set_targets_for_test(
            created,
            {("P1", "HS"): 0.5, ("C11", "TEAM"): 20},
            baselines={("D1", "HS"): (216, 1000)},
        )
        db.session.commit()
    return "CD92"


def download(client, unit: str = "P1") -> openpyxl.Workbook:
    response = client.get(f"/campaigns/CD92/targets/units/{unit}/targets.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_of(workbook) -> dict[tuple[str, str], int]:
    """(unit code, indicator code) → line of the data sheet."""
    sheet = workbook.worksheets[0]
    return {
        (row[0].value, row[2].value): row[0].row
        for row in sheet.iter_rows(min_row=2)
        if row[0].value
    }


def as_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, content: bytes, name: str = "chi-tieu.xlsx"):
    return client.post(
        UPLOAD,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def confirm(client, preview):
    page = preview.get_data(as_text=True)
    token = re.search(r"/campaigns/CD92/targets/upload/([0-9a-f]{32})", page).group(1)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page)
    return client.post(f"{UPLOAD}/{token}", data={"fingerprint": fingerprint.group(1)})


def own(unit: str, indicator: str) -> float | None:
    campaign = campaign_by_code("CD92")
    indicator_id = next(i.id for i in campaign.indicators if i.code == indicator)
    row = db.session.scalar(
        select(Target).where(
            Target.unit_id == unit_by_code(unit).id, Target.indicator_id == indicator_id
        )
    )
    return None if row is None else row.value


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_uploads(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "targets"
    return sorted(folder.glob("*.xlsx")) if folder.exists() else []


# --- the workbook ---------------------------------------------------------------------------


def test_the_workbook_holds_one_row_per_unit_and_indicator_of_the_subtree(app, campaign, login):
    workbook = download(login("admin"))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.value for cell in sheet[1]) and len(sheet[1]) == 8
    assert sheet["E1"].comment is not None  # the note on percent
    lines = rows_of(workbook)
    # Tree order; TEAM only where communes are (not the agency A1).
    assert list(lines) == [
        ("P1", "HS"), ("P1", "TEAM"), ("A1", "HS"),
        ("D1", "HS"), ("D1", "TEAM"), ("C11", "HS"), ("C11", "TEAM"), ("C12", "HS"),
        ("C12", "TEAM"), ("D2", "HS"), ("D2", "TEAM"), ("C21", "HS"), ("C21", "TEAM"),
    ]  # fmt: skip
    p1 = sheet[lines[("P1", "HS")]]
    assert [cell.value for cell in p1[:7]] == [
        "P1", "Tỉnh Một", "HS", "Tỷ lệ hồ sơ trực tuyến", 50, None, None
    ]  # fmt: skip
    d1 = sheet[lines[("D1", "HS")]]
    assert [cell.value for cell in d1[4:7]] == [None, 216, 1000]  # inherited: no own target
    assert "Tỉnh Một" in d1[7].value  # the effective target, for information
    assert sheet[lines[("C11", "TEAM")]][4].value == 20
    signature = workbook[SIGNATURE_SHEET]
    assert signature.sheet_state == "hidden"
    assert (signature["A1"].value, signature["A2"].value) == (SIGNATURE, "CD92")


def test_a_manager_downloads_its_own_subtree_only(app, campaign, login):
    lines = rows_of(download(login("manager"), "D1"))
    assert {unit for unit, _indicator in lines} == {"D1", "C11", "C12"}
    assert login("manager").get("/campaigns/CD92/targets/units/P1/targets.xlsx").status_code == 403


def test_no_cell_of_the_workbook_starts_a_formula(app, campaign, login):
    with app.app_context():
        make_units(
            ("X1", '=HYPERLINK("http://evil.example","x")', "commune", "D2"),
            ("X2", "+cmd|' /C calc'!A0", "commune", "D2"),
            ("X3", "-2+3", "commune", "D2"),
            ("X4", "@SUM(A1:A2)", "commune", "D2"),
        )
        db.session.commit()
    response = login("admin").get("/campaigns/CD92/targets/units/P1/targets.xlsx")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(name) for name in sheets)  # no formula at all
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    texts = [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert not [text for text in texts if text[0] in "=+-@"]
    assert '\'=HYPERLINK("http://evil.example","x")' in texts


# --- the round trip -------------------------------------------------------------------------


def test_download_edit_upload_preview_confirm_changes_the_values(app, campaign, login):
    client = login("admin")
    client.get("/language/en")
    workbook = download(client)
    sheet = workbook.worksheets[0]
    lines = rows_of(workbook)
    sheet.cell(lines[("D1", "HS")], 5).value = 60  # percent
    sheet.cell(lines[("C12", "HS")], 5).value = "82,89"  # typed as text, Vietnamese style
    sheet.cell(lines[("D2", "HS")], 5).value = 0.7  # a cell formatted as percent holds 0.7
    sheet.cell(lines[("D2", "HS")], 5).number_format = "0%"
    sheet.cell(lines[("C11", "TEAM")], 5).value = None  # back to no own target
    sheet.cell(lines[("C12", "TEAM")], 5).value = 35
    sheet.cell(lines[("C21", "HS")], 6).value = 120
    sheet.cell(lines[("C21", "HS")], 7).value = 400
    preview = upload(client, as_bytes(workbook))
    assert preview.status_code == 200, text_of(preview)
    page = text_of(preview)
    assert "7 values will change" in page
    assert f"{lines[('D1', 'HS')]} Huyện Đức Hợp D1 HS Target none → 60%" in page
    assert "Xã Đức Quang C12 HS Target none → 82.89%" in page
    assert "Huyện Bù Đốp D2 HS Target none → 70%" in page
    assert "Xã Đức Trung C11 TEAM Target 20 → none" in page
    assert "C21 HS Baseline numerator none → 120" in page
    assert "C21 HS Baseline denominator none → 400" in page
    with app.app_context():
        assert own("D1", "HS") is None  # the preview changed nothing
    assert len(stored_uploads(app)) == 1

    done = confirm(client, preview)
    assert done.status_code == 302
    with app.app_context():
        assert own("D1", "HS") == 0.6
        assert own("C12", "HS") == 0.8289
        assert own("D2", "HS") == 0.7
        assert own("C11", "TEAM") is None
        assert own("C12", "TEAM") == 35
        baseline = db.session.scalar(
            select(Baseline).where(Baseline.unit_id == unit_by_code("C21").id)
        )
        assert (baseline.numerator, baseline.denominator) == (120, 400)
        sources = [r.source for r in db.session.scalars(select(TargetRevision))]
        assert sources.count("excel") == 7
    assert stored_uploads(app) == []


def test_an_unchanged_workbook_changes_nothing(app, campaign, login):
    client = login("manager")
    client.get("/language/en")
    preview = upload(client, as_bytes(download(client, "D1")))
    assert preview.status_code == 200
    assert "The workbook changes nothing" in text_of(preview)


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_stored(app, campaign, login):
    client = login("manager")
    client.get("/language/en")
    workbook = download(client, "D1")
    sheet = workbook.worksheets[0]
    lines = rows_of(workbook)
    sheet.cell(lines[("C11", "HS")], 5).value = 150
    sheet.cell(lines[("C11", "TEAM")], 5).value = -3
    sheet.cell(lines[("C12", "HS")], 5).value = "=40+20"
    sheet.cell(lines[("C12", "TEAM")], 5).value = "abc"
    sheet.cell(lines[("D1", "HS")], 5).value = 70  # the manager's own unit
    sheet.cell(lines[("D1", "HS")], 6).value = 1200  # the denominator is 1000
    sheet.append(["ZZZ", "", "HS", "", 50])
    sheet.append(["C11", "", "NOPE", "", 50])
    last = sheet.max_row
    response = upload(client, as_bytes(workbook))
    assert response.status_code == 422
    page = text_of(response)
    expected = [
        f"Line {lines[('D1', 'HS')]}: The baseline numerator cannot be larger than its "
        "denominator.",
        f"Line {lines[('C11', 'HS')]}: The target of a ratio must lie between 0% and 100%.",
        f"Line {lines[('C11', 'TEAM')]}: The target of a count must be a whole number, 0 or more.",
        f"Line {lines[('C12', 'HS')]}: The cell holds a formula; type the value itself.",
        f"Line {lines[('C12', 'TEAM')]}: “abc” is not a number.",
        f"Line {last - 1}: No unit has the code “ZZZ”.",
        f"Line {last}: Campaign CD92 has no indicator “NOPE”.",
    ]
    for message in expected:
        assert message in page
    positions = [page.index(message) for message in expected]
    assert positions == sorted(positions)  # in line order
    assert "Nothing was saved" in page
    assert "Apply these changes" not in page
    with app.app_context():
        assert own("C11", "HS") is None and own("C11", "TEAM") == 20
        assert count(TargetRevision) == 4  # those of the fixture
    assert stored_uploads(app) == []


def test_a_manager_changing_its_own_unit_in_the_workbook_is_told_so(app, campaign, login):
    client = login("manager")
    client.get("/language/en")
    workbook = download(client, "D1")
    workbook.worksheets[0].cell(rows_of(workbook)[("D1", "HS")], 5).value = 70
    response = upload(client, as_bytes(workbook))
    assert response.status_code == 422
    assert "You cannot set the targets of your own unit Huyện Đức Hợp" in text_of(response)


def test_a_confirm_after_the_targets_changed_shows_the_new_preview(app, campaign, login):
    client = login("admin")
    client.get("/language/en")
    workbook = download(client)
    workbook.worksheets[0].cell(rows_of(workbook)[("D1", "HS")], 5).value = 60
    preview = upload(client, as_bytes(workbook))
    assert "none → 60%" in text_of(preview)
    with english(app):
        set_targets(
            campaign_by_code("CD92"),
            [TargetInput("D1", "HS", target=0.55)],
            user=user_by_username("admin"),
            source=Source.WEB,
        )
        db.session.commit()
    stale = confirm(client, preview)
    assert stale.status_code == 409
    page = text_of(stale)
    assert "The targets have changed since your preview" in page
    assert "55% → 60%" in page
    with app.app_context():
        assert own("D1", "HS") == 0.55
    assert confirm(client, stale).status_code == 302
    with app.app_context():
        assert own("D1", "HS") == 0.6


def test_an_upload_is_confirmed_only_by_the_user_who_made_it(app, campaign, login):
    client = login("admin")
    workbook = download(client)
    workbook.worksheets[0].cell(rows_of(workbook)[("D1", "HS")], 5).value = 60
    preview = upload(client, as_bytes(workbook))
    token = re.search(r"/upload/([0-9a-f]{32})", preview.get_data(as_text=True)).group(1)
    other = login("manager").post(f"{UPLOAD}/{token}", data={"fingerprint": "0" * 64})
    assert other.status_code == 404
    assert login("admin").post(f"{UPLOAD}/not-a-token", data={}).status_code == 404
    with app.app_context():
        assert own("D1", "HS") is None


# --- files refused --------------------------------------------------------------------------


def random_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["unit_code", "unit_name", "indicator_code", "indicator_name", "target"])
    workbook.active.append(["D1", "", "HS", "", 60])
    return as_bytes(workbook)


def other_campaigns_workbook(app, client) -> bytes:
    with app.app_context():
        other = make_campaign("CD93", "P1")
        make_indicator(other, "HS")
        db.session.commit()
    return client.get("/campaigns/CD93/targets/units/P1/targets.xlsx").data


def zip_without_workbook() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("hello.txt", "hello")
    return output.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda app, client: b"unit_code,target\nD1,60\n", "chi-tieu.csv", "Only .xlsx files"),
        (lambda app, client: b"just some text", "chi-tieu.xlsx", "not an Excel .xlsx workbook"),
        (lambda app, client: zip_without_workbook(), "chi-tieu.xlsx", "not an Excel .xlsx"),
        (lambda app, client: random_workbook(), "chi-tieu.xlsx", "not a target workbook"),
        (other_campaigns_workbook, "chi-tieu.xlsx", "belongs to campaign CD93, not CD92"),
    ],
)
def test_files_that_are_not_this_template_are_refused(app, campaign, login, make, name, message):
    client = login("admin")
    client.get("/language/en")
    response = upload(client, make(app, client), name)
    assert response.status_code == 422
    assert message in text_of(response)
    with app.app_context():
        assert count(TargetRevision) == 4
    assert stored_uploads(app) == []


def test_a_file_over_the_size_limit_is_refused(app, campaign, login):
    client = login("admin")
    client.get("/language/en")
    content = as_bytes(download(client))
    app.config["SPREADSHEET_MAX_BYTES"] = len(content) - 1
    response = upload(client, content)
    assert response.status_code == 422
    assert "The file is larger than" in text_of(response)
    app.config["SPREADSHEET_MAX_BYTES"] = len(content)
    assert upload(client, content).status_code == 200


def test_no_file_at_all_is_refused(app, campaign, login):
    client = login("admin")
    client.get("/language/en")
    response = client.post(UPLOAD, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the .xlsx file to upload." in text_of(response)


def test_reporters_and_viewers_cannot_upload(app, campaign, login):
    for username in ("reporter", "viewer"):
        client = login(username)
        assert client.get(UPLOAD).status_code == 403
        assert upload(client, random_workbook()).status_code == 403


def test_a_closed_campaign_takes_no_upload(app, campaign, login):
    client = login("admin")
    client.get("/language/en")
    content = as_bytes(download(client))
    with app.app_context():
        campaign_by_code("CD92").status = CampaignStatus.CLOSED
        db.session.commit()
    response = upload(client, content)
    assert response.status_code == 422
    assert "The campaign is closed" in text_of(response)
