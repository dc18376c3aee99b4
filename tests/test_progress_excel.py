"""The Excel import of daily figures: download the pre-filled template, fill it with openpyxl,
upload, read the preview, confirm; every way a file or a row is refused (with nothing
written); formula injection in the download; the confirmation after a concurrent change.

The clock of the pages is set to 10/06/2022 16:00 in Ho Chi Minh City (09:00 UTC): days up
to 06/06 are locked (3 days after their 16:30 deadline), 07/06 locks at 16:30 today.
"""

import html
import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from app.db import db
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.progress import excel
from campaigns.progress.models import Entry, EntryRevision, EntrySource
from campaigns.progress.operations import EntryInput, save_entries
from campaigns.queries import campaign_by_code
from tests.factories import make_campaign, make_indicator, make_units
from tests.pages import english

NOW = datetime(2022, 6, 10, 9, 0, tzinfo=UTC)
IMPORT = "/campaigns/CD92/progress/import"
RANGE = {"start": "2022-06-08", "end": "2022-06-10"}


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr("campaigns.progress.excel_controllers.utcnow", lambda: NOW)


def save(*inputs, by="admin", now=NOW, campaign="CD92"):
    """Figures saved through the core, as the entry page would, and committed."""
    summary = save_entries(
        campaign_by_code(campaign),
        list(inputs),
        user=user_by_username(by),
        source=EntrySource.WEB,
        now=now,
    )
    db.session.commit()
    return summary


@pytest.fixture
def campaign(app, world):
    """CD92 on P1 (active, 01/06–31/08/2022): HS a ratio (flow, every unit), TK a count
    (stock, communes only). Saved: C11 HS 08/06 30/100 and TK 08/06 50; C12 HS 09/06 10/20."""
    with app.app_context():
        created = make_campaign("CD92", "P1", status=CampaignStatus.ACTIVE)
        make_indicator(
            created,
            "HS",
            name="Tỷ lệ hồ sơ trực tuyến",
            numerator_label="Hồ sơ trực tuyến",
            denominator_label="Tổng số hồ sơ",
        )
        make_indicator(created, "TK", "count", "stock", unit_kinds=["commune"], name="Tài khoản")
        db.session.commit()
        save(
            EntryInput("C11", "HS", date(2022, 6, 8), 30, 100),
            EntryInput("C11", "TK", date(2022, 6, 8), 50),
            EntryInput("C12", "HS", date(2022, 6, 9), 10, 20),
            by="manager",
        )
    return "CD92"


def download(client, **params) -> openpyxl.Workbook:
    response = client.get(f"{IMPORT}/template.xlsx", query_string=params or RANGE)
    assert response.status_code == 200, text_of(response)[-500:]
    assert response.mimetype == excel.XLSX_MIME
    return openpyxl.load_workbook(io.BytesIO(response.data))


def lines_of(workbook) -> dict[tuple[str, date], int]:
    """(unit code, day) → line of the data sheet."""
    return {
        (row[0].value, row[2].value.date()): row[0].row
        for row in workbook.worksheets[0].iter_rows(min_row=3)
        if row[0].value
    }


def as_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, content: bytes, name: str = "so-lieu.xlsx", campaign: str = "CD92"):
    return client.post(
        f"/campaigns/{campaign}/progress/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def preview_of(client, uploaded):
    assert uploaded.status_code == 303, text_of(uploaded)[-800:]
    location = uploaded.headers["Location"]
    assert re.fullmatch(r"/campaigns/CD92/progress/import/[0-9a-f]{32}", location)
    return client.get(location)


def token_of(preview) -> str:
    page = preview.get_data(as_text=True)
    return re.search(r'action="/campaigns/CD92/progress/import/([0-9a-f]{32})"', page).group(1)


def fingerprint_of(preview) -> str:
    page = preview.get_data(as_text=True)
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)


def confirm(client, preview, **fields):
    return client.post(
        f"{IMPORT}/{token_of(preview)}",
        data={"fingerprint": fingerprint_of(preview), **fields},
    )


def counts(response) -> tuple[int, int, int]:
    page = response.get_data(as_text=True)
    return tuple(
        int(re.search(rf'id="count-{name}">(\d+)<', page).group(1))
        for name in ("new", "changed", "unchanged")
    )


def problems_of(response, list_id: str = "import-errors") -> list[str]:
    page = response.get_data(as_text=True)
    block = re.search(rf'<ul class="mb-0 small" id="{list_id}">(.*?)</ul>', page, re.S)
    assert block, text_of(response)[-1500:]
    items = re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).strip() for item in items
    ]


def figures(unit: str, indicator: str, day: date) -> tuple | None:
    campaign = campaign_by_code("CD92")
    indicator_id = next(i.id for i in campaign.indicators if i.code == indicator)
    entry = db.session.scalar(
        select(Entry).where(
            Entry.unit_id == unit_by_code(unit).id,
            Entry.indicator_id == indicator_id,
            Entry.entry_date == day,
        )
    )
    return None if entry is None else (entry.numerator, entry.denominator, entry.revision)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_uploads(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "progress"
    return sorted(folder.glob("*.xlsx")) if folder.exists() else []


# --- the template ---------------------------------------------------------------------------


def test_the_template_has_a_row_per_unit_and_day_prefilled(app, campaign, login):
    workbook = download(english(login("manager")))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "D3"
    assert [cell.value for cell in sheet[1]][3:] == [
        "Tỷ lệ hồ sơ trực tuyến (HS)", None, "Tài khoản (TK)"
    ]  # fmt: skip
    assert [cell.value for cell in sheet[2]][3:] == ["Hồ sơ trực tuyến", "Tổng số hồ sơ", "Number"]
    assert "D1:E1" in {str(merged) for merged in sheet.merged_cells.ranges}
    days = [date(2022, 6, 8), date(2022, 6, 9), date(2022, 6, 10)]
    # D1 (the manager's own district) then its communes, three days each.
    assert list(lines_of(workbook)) == [
        (unit, day) for unit in ("D1", "C11", "C12") for day in days
    ]
    rows = {row[0].row: [cell.value for cell in row] for row in sheet.iter_rows(min_row=3)}
    assert rows[6][:2] == ["C11", "Xã Đức Trung"]
    assert rows[6][2] == datetime(2022, 6, 8) and sheet["C6"].number_format == "dd/mm/yyyy"
    assert rows[6][3:] == [30, 100, 50]
    assert rows[10][3:] == [10, 20, None]  # C12 on 09/06
    assert rows[7][3:] == [None, None, None]
    # A district does not report TK: its cell is grey, the communes' are not.
    assert sheet["F3"].fill.fgColor.rgb.endswith("CED4DA")
    assert sheet["F6"].fill.fgColor.rgb in ("00000000", None)
    signature = workbook[excel.SIGNATURE_SHEET]
    assert signature.sheet_state == "hidden"
    assert [signature.cell(row, 1).value for row in (1, 2, 3)] == ["tiendo:progress", "1", "CD92"]


def test_the_default_is_the_last_seven_days_and_the_admin_gets_every_unit(app, campaign, login):
    workbook = download(login("admin"), unit="")
    lines = lines_of(workbook)
    units = list(dict.fromkeys(unit for unit, _day in lines))
    assert units == ["A1", "D1", "C11", "C12", "D2", "C21"]  # tree order, below P1
    assert sorted({day for _unit, day in lines}) == [date(2022, 6, day) for day in range(4, 11)]


def test_a_reporter_gets_its_own_unit_and_a_manager_may_narrow_to_a_unit(app, campaign, login):
    assert list(dict.fromkeys(u for u, _ in lines_of(download(login("reporter"))))) == ["C11"]
    narrowed = download(login("admin"), unit="D2", **RANGE)
    assert list(dict.fromkeys(u for u, _ in lines_of(narrowed))) == ["D2", "C21"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2022-06-10", "end": "2022-06-08"}, "The first day comes after the last day."),
        ({"start": "2022-05-31", "end": "2022-06-08"}, "The campaign starts on 01/06/2022."),
        (
            {"start": "2022-06-08", "end": "2022-06-11"},
            "Figures can be entered up to today, not for days to come.",
        ),
        ({"start": "08/06/2022", "end": "hôm nay"}, "Write the date as dd/mm/yyyy."),
        ({**RANGE, "unit": "D2"}, "Choose one of the units of the list."),
    ],
)
def test_a_wrong_choice_of_days_or_units_is_refused(app, campaign, login, params, message):
    client = english(login("manager"))
    response = client.get(f"{IMPORT}/template.xlsx", query_string=params)
    assert response.status_code == 422
    assert message in text_of(response)


def test_too_many_rows_are_refused(app, campaign, login, monkeypatch):
    monkeypatch.setattr(excel, "TEMPLATE_ROWS_MAX", 8)  # manager: 3 units × 3 days = 9 rows
    response = english(login("manager")).get(f"{IMPORT}/template.xlsx", query_string=RANGE)
    assert response.status_code == 422
    assert "more than 8 rows" in text_of(response)
    monkeypatch.setattr(excel, "TEMPLATE_ROWS_MAX", 9)
    assert login("manager").get(f"{IMPORT}/template.xlsx", query_string=RANGE).status_code == 200


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","Bấm vào đây")', "+1+1", "-2+3", "@SUM(A1)"]
)
def test_a_malicious_unit_name_does_not_become_a_formula(app, campaign, login, name):
    with app.app_context():
        make_units(("C13", name, "commune", "D1"))
        db.session.commit()
    response = login("manager").get(f"{IMPORT}/template.xlsx", query_string=RANGE)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in archive.read(n) and b"<f " not in archive.read(n) for n in sheets)
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    line = lines_of(workbook)[("C13", date(2022, 6, 8))]
    cell = sheet.cell(line, 2)
    assert cell.value == "'" + name
    assert cell.data_type == "s"


# --- the round trip -------------------------------------------------------------------------


def test_download_fill_upload_preview_confirm(app, campaign, login):
    client = english(login("manager"))
    workbook = download(client)
    sheet = workbook.worksheets[0]
    lines = lines_of(workbook)
    d1, c11, c11_next = (
        lines[("D1", date(2022, 6, 8))],
        lines[("C11", date(2022, 6, 8))],
        lines[("C11", date(2022, 6, 9))],
    )
    sheet[f"D{d1}"], sheet[f"E{d1}"] = 5, 10  # new: the manager's own unit
    sheet[f"D{c11}"] = 40  # changed: 30/100 → 40/100; TK 50 stays
    sheet[f"F{c11_next}"] = "1.080"  # new, typed with a thousands dot
    with app.app_context():
        revisions_before = count(EntryRevision)

    preview = preview_of(client, upload(client, as_bytes(workbook)))

    assert preview.status_code == 200
    assert counts(preview) == (2, 1, 2)
    text = text_of(preview)
    assert "30/100 → 40/100" in text
    assert "new 5/10" in text and "new 1,080" in text
    unchanged = client.get(f"{IMPORT}/{token_of(preview)}", query_string={"show": "unchanged"})
    assert "10/20" in text_of(unchanged) and "Xã Đức Quang" in text_of(unchanged)
    with app.app_context():
        assert count(EntryRevision) == revisions_before  # the preview wrote nothing
        assert figures("C11", "HS", date(2022, 6, 8)) == (30, 100, 1)
    assert len(stored_uploads(app)) == 1

    confirmed = confirm(client, preview)

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/campaigns/CD92"
    page = client.get("/campaigns/CD92")
    assert "Figures from the workbook saved: 2 new, 1 changed, 2 unchanged." in text_of(page)
    assert stored_uploads(app) == []
    with app.app_context():
        assert figures("D1", "HS", date(2022, 6, 8)) == (5, 10, 1)
        assert figures("C11", "HS", date(2022, 6, 8)) == (40, 100, 2)
        assert figures("C11", "TK", date(2022, 6, 9)) == (1080, None, 1)
        assert figures("C11", "TK", date(2022, 6, 8)) == (50, None, 1)  # unchanged: no revision
        assert figures("C12", "HS", date(2022, 6, 9)) == (10, 20, 1)
        assert count(EntryRevision) == revisions_before + 3
        revisions = db.session.scalars(
            select(EntryRevision).where(EntryRevision.source == "import")
        ).all()
        marks = {
            (r.entry.unit.code, r.entry.indicator.code): (
                r.old_numerator, r.old_denominator, r.numerator, r.denominator, r.on_behalf,
                r.changed_by.username,
            )
            for r in revisions
        }  # fmt: skip
        assert marks == {
            ("D1", "HS"): (None, None, 5, 10, False, "manager"),
            ("C11", "HS"): (30, 100, 40, 100, True, "manager"),
            ("C11", "TK"): (None, None, 1080, None, True, "manager"),
        }


def test_a_file_that_changes_nothing_has_nothing_to_confirm(app, campaign, login):
    client = english(login("manager"))
    preview = preview_of(client, upload(client, as_bytes(download(client))))
    assert counts(preview) == (0, 0, 3)
    assert "The file changes nothing" in text_of(preview)
    assert 'id="confirm-form"' not in preview.get_data(as_text=True)


def test_rows_may_be_deleted_and_empty_cells_change_nothing(app, campaign, login):
    client = english(login("reporter"))
    workbook = download(client)
    sheet = workbook.worksheets[0]
    sheet["D3"] = None  # C11 HS 08/06: emptied, stays 30/100
    sheet["E3"] = None
    sheet.delete_rows(4)  # 09/06 gone; 10/06 moves up to line 4
    sheet["D4"], sheet["E4"] = 7, 9
    preview = preview_of(client, upload(client, as_bytes(workbook)))
    assert counts(preview) == (1, 0, 1)  # HS 10/06 new; TK 08/06 unchanged
    assert confirm(client, preview).status_code == 302
    with app.app_context():
        assert figures("C11", "HS", date(2022, 6, 8)) == (30, 100, 1)
        assert figures("C11", "HS", date(2022, 6, 10)) == (7, 9, 1)
        revision = db.session.scalars(
            select(EntryRevision).where(EntryRevision.source == "import")
        ).one()
        assert not revision.on_behalf  # the reporter's own unit


# --- refused files --------------------------------------------------------------------------


def zip_of(files: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return output.getvalue()


NOT_XLSX = "The file is not an Excel .xlsx workbook."


def a_random_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["D1", "Huyện", "08/06/2022", 5, 10])
    workbook.create_sheet("tiendo")["A1"] = "tiendo:targets:v1"
    return as_bytes(workbook)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"unit,date,numerator\nC11,2022-06-08,5\n", "so-lieu.xlsx", NOT_XLSX),
        (b"PK\x03\x04 not really a zip", "so-lieu.xlsx", NOT_XLSX),
        (zip_of({"readme.txt": b"hello"}), "so-lieu.xlsx", NOT_XLSX),
        (
            zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<broken"}),
            "so-lieu.xlsx",
            "The file is not a readable .xlsx workbook.",
        ),
        (a_random_workbook(), "so-lieu.xlsx", "This file is not a figures template of Tiến độ."),
        (a_random_workbook(), "so-lieu.csv", "Only .xlsx files can be uploaded"),
    ],
    ids=[
        "text",
        "fake-zip",
        "zip-not-workbook",
        "broken-workbook",
        "no-signature",
        "not-xlsx-name",
    ],
)
def test_files_that_are_not_the_template_are_refused(app, campaign, login, content, name, message):
    client = english(login("manager"))
    response = upload(client, content, name)
    assert response.status_code == 422
    assert message in text_of(response)
    assert stored_uploads(app) == []


def test_another_campaigns_template_is_refused(app, campaign, login):
    with app.app_context():
        other = make_campaign("CD93", "P1", status=CampaignStatus.ACTIVE)
        make_indicator(other, "HS")
        db.session.commit()
    client = english(login("manager"))
    response = client.get("/campaigns/CD93/progress/import/template.xlsx", query_string=RANGE)
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    workbook.worksheets[0]["D3"], workbook.worksheets[0]["E3"] = 1, 2
    refused = upload(client, as_bytes(workbook))
    assert refused.status_code == 422
    assert "This template belongs to campaign CD93, not CD92." in text_of(refused)


def test_a_forged_signature_sheet_is_refused(app, campaign, login):
    client = english(login("manager"))
    workbook = download(client)
    signature = workbook[excel.SIGNATURE_SHEET]
    signature["A4"] = '[["HS", "numerator"], ["HS", "denominator"]]'  # layout without TK
    response = upload(client, as_bytes(workbook))
    assert response.status_code == 422
    assert "This file is not a figures template of Tiến độ." in text_of(response)


def test_an_inserted_column_is_refused(app, campaign, login):
    client = english(login("manager"))
    workbook = download(client)
    workbook.worksheets[0].insert_cols(4)
    response = upload(client, as_bytes(workbook))
    assert response.status_code == 422
    assert "The columns of the template were changed (column D should be HS)" in text_of(response)


def test_a_file_too_large_is_refused(app, campaign, login):
    client = english(login("manager"))
    content = as_bytes(download(client))
    app.config["SPREADSHEET_MAX_BYTES"] = len(content) - 1
    response = upload(client, content)
    assert response.status_code == 422
    assert "The file is larger than" in text_of(response)
    app.config["SPREADSHEET_MAX_BYTES"] = len(content)
    assert upload(client, content).status_code == 303


def test_every_bad_row_is_listed_and_nothing_is_written(app, campaign, login):
    client = english(login("manager"))
    workbook = download(client, start="2022-06-07", end="2022-06-10")
    sheet = workbook.worksheets[0]
    # D1 07/06..10/06 are lines 3-6, C11 lines 7-10, C12 lines 11-14.
    sheet["D3"], sheet["E3"] = "=1+1", 10  # a formula where a figure belongs
    sheet["D4"], sheet["E4"] = 30, 20  # numerator above the denominator
    sheet["A5"], sheet["D5"], sheet["E5"] = "C21", 1, 2  # a unit of another district
    sheet["C6"], sheet["D6"], sheet["E6"] = datetime(2022, 5, 31), 1, 2  # before the campaign
    sheet["C7"], sheet["D7"], sheet["E7"] = datetime(2022, 6, 11), 1, 2  # tomorrow
    sheet["D11"], sheet["E11"] = 12.5, 20  # a decimal
    sheet["F12"] = "12,5"  # a decimal typed as text
    sheet["D13"], sheet["E13"] = 5, None  # a ratio without its denominator
    sheet["D14"], sheet["E14"] = 5, 10  # a good row: not written either
    sheet["C9"] = "not a day"
    sheet["F9"] = 3
    with app.app_context():
        before = (count(Entry), count(EntryRevision))

    response = upload(client, as_bytes(workbook))

    assert response.status_code == 422
    assert problems_of(response) == [
        "Row 3, cell D3 (HS): The cell holds a formula; type the figure itself.",
        "Row 4, cell D4 (HS): The numerator cannot be larger than the denominator.",
        "Row 5, cell A5: You may not enter figures for Thị trấn Thanh Bình.",
        "Row 6, cell C6: The campaign starts on 01/06/2022.",
        "Row 7, cell C7: Figures can be entered up to today, not for days to come.",
        "Row 9, cell C9: “not a day” is not a date: write it as dd/mm/yyyy.",
        "Row 11, cell D11 (HS): Type a whole number, without decimals.",
        "Row 12, cell F12 (TK): Type a whole number, without decimals.",
        "Row 13, cell E13 (HS): Type a figure.",
    ]
    assert "Nothing was saved: the file has 9 problems." in text_of(response)
    assert 'id="confirm-form"' not in response.get_data(as_text=True)
    assert stored_uploads(app) == []
    with app.app_context():
        assert (count(Entry), count(EntryRevision)) == before


def test_a_locked_day_is_refused_for_a_manager_and_needs_a_note_from_an_admin(app, campaign, login):
    manager = english(login("manager"))
    workbook = download(manager, start="2022-06-06", end="2022-06-06")
    workbook.worksheets[0]["D4"], workbook.worksheets[0]["E4"] = 3, 4  # C11 on 06/06
    refused = upload(manager, as_bytes(workbook))
    assert refused.status_code == 422
    assert problems_of(refused) == [
        "Row 4 (HS): The figures of 06/06/2022 are locked since 09/06/2022 16:30; ask an "
        "administrator to correct them."
    ]

    admin = english(login("admin"))
    workbook = download(admin, unit="D1", start="2022-06-06", end="2022-06-06")
    workbook.worksheets[0]["D4"], workbook.worksheets[0]["E4"] = 3, 4
    preview = preview_of(admin, upload(admin, as_bytes(workbook)))
    assert problems_of(preview, "import-needs-reason") == [
        "Row 4 (HS): The figures of 06/06/2022 are locked since 09/06/2022 16:30: give the "
        "reason for the correction."
    ]
    without_note = confirm(admin, preview)
    assert without_note.status_code == 422
    assert "Write the note these rows need." in text_of(without_note)
    assert confirm(admin, preview, reason="Công văn 12/UBND").status_code == 302
    with app.app_context():
        entry_figures = figures("C11", "HS", date(2022, 6, 6))
        assert entry_figures == (3, 4, 1)
        revision = db.session.scalars(
            select(EntryRevision).where(EntryRevision.source == "import")
        ).one()
        assert (revision.reason, revision.on_behalf) == ("Công văn 12/UBND", True)


# --- unusual figures ------------------------------------------------------------------------


@pytest.fixture
def history(app, campaign):
    """C11's HS on 05-07/06: 10/20, 12/20, 11/20; with the 30/100 of 08/06 its usual figures
    before 09/06 and 10/06 are medians 11,5 and 20: more than 115 or 200 is unusual."""
    with app.app_context():
        earlier = datetime(2022, 6, 7, 8, 0, tzinfo=UTC)
        save(
            EntryInput("C11", "HS", date(2022, 6, 5), 10, 20),
            EntryInput("C11", "HS", date(2022, 6, 6), 12, 20),
            EntryInput("C11", "HS", date(2022, 6, 7), 11, 20),
            now=earlier,
        )


def test_unusual_figures_and_lower_stocks_must_be_confirmed_with_a_note(app, history, login):
    client = english(login("reporter"))
    workbook = download(client)  # C11 08/06 (line 3), 09/06 (line 4), 10/06 (line 5)
    sheet = workbook.worksheets[0]
    sheet["D4"], sheet["E4"] = 116, 201  # > 10 × 11,5 and > 10 × 20
    sheet["D5"], sheet["E5"] = 115, 200  # exactly 10 ×: usual enough
    sheet["F4"] = 49  # TK below the 50 of 08/06

    preview = preview_of(client, upload(client, as_bytes(workbook)))

    assert preview.status_code == 200
    assert counts(preview) == (3, 0, 2)
    assert problems_of(preview, "import-unusual") == [
        "Row 4, cell D4 (HS): 116 is more than ten times the usual figure of this unit; check "
        "it, then confirm it.",
        "Row 4, cell E4 (HS): 201 is more than ten times the usual figure of this unit; check "
        "it, then confirm it.",
    ]
    assert problems_of(preview, "import-needs-reason") == [
        "Row 4 (TK): This level is below the 50 of 08/06/2022: write why in the note."
    ]

    refused = confirm(client, preview)
    assert refused.status_code == 422
    assert "Tick the box if these figures are right" in text_of(refused)
    assert "Write the note these rows need." in text_of(refused)
    with app.app_context():
        assert figures("C11", "HS", date(2022, 6, 9)) is None

    saved = confirm(client, preview, confirmed="y", reason="Sáp nhập thôn")
    assert saved.status_code == 302
    with app.app_context():
        assert figures("C11", "HS", date(2022, 6, 9)) == (116, 201, 1)
        assert figures("C11", "TK", date(2022, 6, 9)) == (49, None, 1)
        reasons = {
            (r.entry.indicator.code, r.entry.entry_date): r.reason
            for r in db.session.scalars(
                select(EntryRevision).where(EntryRevision.source == "import")
            )
        }
        assert reasons == {
            ("HS", date(2022, 6, 9)): "",
            ("HS", date(2022, 6, 10)): "",
            ("TK", date(2022, 6, 9)): "Sáp nhập thôn",
        }


# --- the confirmation -----------------------------------------------------------------------


def test_a_change_made_since_the_preview_gives_a_fresh_preview(app, campaign, login):
    client = english(login("manager"))
    workbook = download(client)
    line = lines_of(workbook)[("C11", date(2022, 6, 8))]
    workbook.worksheets[0][f"D{line}"] = 40
    preview = preview_of(client, upload(client, as_bytes(workbook)))
    assert "30/100 → 40/100" in text_of(preview)
    with app.app_context():
        save(EntryInput("C11", "HS", date(2022, 6, 8), 35, 100), by="reporter")

    stale = confirm(client, preview)

    assert stale.status_code == 409
    assert 'id="stale-preview"' in stale.get_data(as_text=True)
    assert "35/100 → 40/100" in text_of(stale)
    with app.app_context():
        assert figures("C11", "HS", date(2022, 6, 8)) == (35, 100, 2)
    assert len(stored_uploads(app)) == 1  # kept for the fresh preview

    assert confirm(client, stale).status_code == 302
    with app.app_context():
        assert figures("C11", "HS", date(2022, 6, 8)) == (40, 100, 3)


def test_only_the_uploader_may_preview_or_confirm(app, campaign, login):
    manager = login("manager")
    workbook = download(manager)
    workbook.worksheets[0]["D3"], workbook.worksheets[0]["E3"] = 1, 2
    preview = preview_of(manager, upload(manager, as_bytes(workbook)))
    token = token_of(preview)
    admin = login("admin")
    assert admin.get(f"{IMPORT}/{token}").status_code == 404
    refused = admin.post(f"{IMPORT}/{token}", data={"fingerprint": fingerprint_of(preview)})
    assert refused.status_code == 404
    with app.app_context():
        assert figures("D1", "HS", date(2022, 6, 8)) is None
    assert manager.post(f"{IMPORT}/{token}", data={"fingerprint": "x"}).status_code == 400
    assert manager.get(f"{IMPORT}/{'0' * 32}").status_code == 404
    assert manager.get(f"{IMPORT}/not-a-token").status_code == 404


def test_a_closed_or_draft_campaign_takes_no_import(app, campaign, login):
    client = english(login("manager"))
    content = as_bytes(download(client))
    for status, message in (
        (CampaignStatus.CLOSED, "Campaign CD92 is closed; its figures can no longer change."),
        (CampaignStatus.DRAFT, "Campaign CD92 has not started; figures open when it starts."),
    ):
        with app.app_context():
            campaign_by_code("CD92").status = status
            db.session.commit()
        page = client.get(IMPORT)
        assert page.status_code == 200 and message in text_of(page)
        assert 'id="upload-form"' not in page.get_data(as_text=True)
        refused = upload(client, content)
        assert refused.status_code == 422 and message in text_of(refused)
        assert client.get(f"{IMPORT}/template.xlsx").status_code == 409
    assert stored_uploads(app) == []


def test_the_campaign_page_links_to_the_import_for_those_who_enter_figures(app, campaign, login):
    for role, shown in (("admin", True), ("manager", True), ("reporter", True), ("viewer", False)):
        page = english(login(role)).get("/campaigns/CD92")
        assert ("Import figures from Excel" in text_of(page)) is shown, role
    with app.app_context():
        campaign_by_code("CD92").status = CampaignStatus.CLOSED
        db.session.commit()
    assert "Import figures from Excel" not in text_of(
        english(login("admin")).get("/campaigns/CD92")
    )


def test_a_viewer_and_users_outside_the_campaign_may_not_import(app, campaign, login):
    assert login("viewer").get(IMPORT).status_code == 403
    assert login("admin2").get(IMPORT).status_code == 403
    with app.app_context():
        # A district's campaign: the reporter of a commune of another district writes none.
        other = make_campaign("CDD2", "D2", status=CampaignStatus.ACTIVE)
        make_indicator(other, "HS")
        db.session.commit()
    assert login("reporter").get("/campaigns/CDD2/progress/import").status_code == 403
    assert login("admin").get("/campaigns/CDD2/progress/import").status_code == 200


def test_a_template_whose_sheet_is_broken_is_refused(app, campaign, login):
    client = english(login("manager"))
    content = as_bytes(download(client))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r="
    response = upload(client, zip_of(files))
    assert response.status_code == 422
    assert "The file is not a readable .xlsx workbook." in text_of(response)
    assert stored_uploads(app) == []


def test_the_preview_pages_through_long_lists(app, campaign, login, monkeypatch):
    monkeypatch.setattr("campaigns.progress.excel_controllers.CELLS_PER_PAGE", 2)
    client = english(login("manager"))
    workbook = download(client)
    sheet = workbook.worksheets[0]
    for line, numerator in ((3, 1), (4, 2), (5, 3)):  # D1 on 08, 09 and 10/06: three new
        sheet[f"D{line}"], sheet[f"E{line}"] = numerator, 9
    preview = preview_of(client, upload(client, as_bytes(workbook)))
    assert counts(preview) == (3, 0, 3)
    rows = re.findall(r'<tr class="import-new">', preview.get_data(as_text=True))
    assert len(rows) == 2
    token = token_of(preview)
    links = re.findall(r'href="\s*([^"]*page=[^"]*)"', preview.get_data(as_text=True))
    assert f"/campaigns/CD92/progress/import/{token}?show=changes&amp;page=2" in links
    second = client.get(f"{IMPORT}/{token}", query_string={"show": "changes", "page": 2})
    assert re.findall(r'<tr class="import-(\w+)">', second.get_data(as_text=True)) == ["new"]
    assert "new 3/9" in text_of(second) and "new 1/9" not in text_of(second)
