"""The outputs of one briefing, drawn from its snapshot: the chat text (≤ 3.000 characters,
the most important lines first), the .docx official notice, the .xlsx workbook and the PNG
charts; a correction (version 2) in each of them; a published version's files unchanged by
later entries.

The campaign and its figures, worked out by hand, are in tests/briefing_data.py.
"""

import io
import struct
from datetime import UTC, datetime

import docx
import openpyxl
import pytest
from docx.shared import Pt

from app.db import db
from app.units.queries import unit_by_code
from targets.briefings.models import Briefing
from targets.briefings.notice import briefing_docx
from targets.briefings.operations import (
    add_item,
    draft_daily_briefing,
    drop_item,
    edit_draft,
    publish,
)
from targets.briefings.pictures import briefing_chart, chart_names
from targets.briefings.text import TEXT_LIMIT, briefing_text
from targets.briefings.workbook import briefing_xlsx
from tests.briefing_data import DAY, DRAFTED, PUBLISHED, TASK, make_briefing_campaign
from tests.factories import enter_figures_for_test

DIRECTIONS = "Các huyện đôn đốc xã báo cáo đầy đủ.\nSở TT&TT theo dõi, tổng hợp."
LINK = "https://tiendo.example.vn/campaigns/CD92/briefings/2022-06-10/v1"
TITLE = "Chiến dịch 92 ngày"
# T's figures on 10/06 (tests/briefing_data.py): ONLINE 872/900 = 96,89%, 46% the day before
# (+50,888… → +50,9 points), baseline 21,6%, campaign to date 1.332/1.900 = 70,11%; on track
# (a straight path from 21,6% on 09/06 to 50% on 30/06 is below 96,89%). DIGITISED 25/30 =
# 83,33% against a target of 100% and no baseline: the path is the target, so behind.
HEADLINE = [
    "Tỉnh Thử, ngày 10/06/2022:",
    "- Tỷ lệ hồ sơ trực tuyến: 96,89% (chỉ tiêu 50%), +50,9 điểm % so với hôm qua, đúng tiến độ",
    "- Tỷ lệ số hóa hồ sơ: 83,33% (chỉ tiêu 100%), chậm tiến độ",
]


@pytest.fixture
def briefing(app_context) -> Briefing:
    """The draft of 10/06, numbered 12, with two lines of directions."""
    campaign = make_briefing_campaign()
    draft, _made = draft_daily_briefing(campaign, DAY, user=None, now=DRAFTED)
    edit_draft(draft, directions=DIRECTIONS, number="12")
    db.session.commit()
    return draft


@pytest.fixture
def published(briefing) -> Briefing:
    publish(briefing, user=None, now=PUBLISHED)
    db.session.commit()
    return briefing


def texts(briefing: Briefing, section: str) -> list[str]:
    """The sentences of the section's lines as published (none dropped here)."""
    return [item.text for item in briefing.items if item.section == section and not item.dropped]


def expected_text(briefing: Briefing, directions: list[str], mark: str = "") -> str:
    """The whole chat text, written out in the order of importance."""
    title = f"{TITLE} – {briefing.content['title']}{mark} – Ngày 2/22, còn 20 ngày"
    return "\n".join(
        [
            title,
            "",
            *HEADLINE,
            # The directions before the lists: a message cut short still carries them.
            *(["", "Chỉ đạo:", *directions] if directions else []),
            "",
            "Biểu dương:",
            *("- " + text for text in texts(briefing, "praise")),
            "",
            "Phê bình:",
            *("- " + text for text in texts(briefing, "criticism")),
            "",
            "Chưa báo cáo (1): Xã Hai Hai.",
        ]
    )


# --- the chat text ---------------------------------------------------------------------------


def test_the_text_gives_the_title_figures_praise_criticism_missing_and_directions(published):
    text = briefing_text(published, link=LINK)

    assert text == expected_text(published, DIRECTIONS.splitlines())
    # The lines come from the rules (tests/test_briefing_rules.py): among them the top of each
    # group, the commune that entered nothing, the overdue task.
    assert any(line.startswith("Xã Một Một") for line in texts(published, "praise"))
    assert any(line.startswith("Xã Hai Hai") for line in texts(published, "criticism"))
    assert any(TASK in line for line in texts(published, "criticism"))


def test_the_headline_reads_the_ranking_window(app_context):
    campaign = make_briefing_campaign(ranking_window="week")
    draft, _made = draft_daily_briefing(campaign, DAY, user=None, now=DRAFTED)

    lines = briefing_text(draft).splitlines()

    # The 7 days to 10/06 start on 09/06, the campaign's first day: ONLINE (460 + 872) /
    # (1.000 + 900) = 1.332/1.900 = 70,11%; the day before, 460/1.000 = 46%: +24,105… points.
    assert lines[2:4] == [
        "Tỉnh Thử, từ 09/06/2022 đến 10/06/2022:",
        "- Tỷ lệ hồ sơ trực tuyến: 70,11% (chỉ tiêu 50%), +24,1 điểm % so với hôm qua, "
        "đúng tiến độ",
    ]


def test_a_draft_says_so_in_its_title(briefing):
    first_line = briefing_text(briefing).splitlines()[0]

    assert first_line == f"{TITLE} – {briefing.content['title']} (dự thảo) – Ngày 2/22, còn 20 ngày"


def test_a_text_of_exactly_the_limit_is_kept_whole_one_character_more_drops_a_line(briefing):
    without = expected_text(briefing, [], " (dự thảo)")
    # The directions add "\n\n" + "Chỉ đạo:" + "\n" + the line: 11 characters and the line.
    fitting = 3000 - len(without) - len("\n\nChỉ đạo:\n")
    edit_draft(briefing, directions="x" * fitting, number="12")

    text = briefing_text(briefing, link=LINK)

    assert len(text) == TEXT_LIMIT == 3000
    assert text == expected_text(briefing, ["x" * fitting], " (dự thảo)")

    edit_draft(briefing, directions="x" * (fitting + 1), number="12")

    text = briefing_text(briefing, link=LINK)

    # One character too many: the directions stay (they come before the lists), whole lines
    # of the lists go, and the last line counts them.
    whole = expected_text(briefing, ["x" * (fitting + 1)], " (dự thảo)").splitlines()
    *kept, blank, last = text.splitlines()
    gone = [line for line in whole if line not in kept]
    assert len(text) <= TEXT_LIMIT
    assert "x" * (fitting + 1) in kept
    assert gone and all(line.startswith("- ") for line in gone)
    assert kept == [line for line in whole if line not in gone]
    assert (blank, last) == (
        "",
        f"(Còn {len(gone)} dòng không hiển thị. Toàn văn điểm tin: {LINK})",
    )


def test_two_hundred_criticisms_are_cut_most_important_first_and_counted(briefing):
    for number in range(1, 201):
        add_item(
            briefing,
            section="criticism",
            unit=None,
            text=f"Đơn vị thứ {number} chưa cập nhật số liệu hồ sơ trực tuyến theo hướng dẫn.",
        )

    text = briefing_text(briefing, link=LINK)

    assert len(text) <= 3000
    lines = text.splitlines()
    assert lines[2:5] == HEADLINE
    assert all("- " + praise in lines for praise in texts(briefing, "praise"))
    criticism = ["- " + line for line in texts(briefing, "criticism")]  # generated, then ours
    generated = len(criticism) - 200
    start = lines.index("Phê bình:") + 1
    shown = lines[start : lines.index("", start)]
    # The generated lines first, then the added ones in order, cut where the room ends.
    assert generated < len(shown) < len(criticism)
    assert shown == criticism[: len(shown)]
    # The shorter sections after it still fit (the one line of missing units) or not
    # (the directions); either way each line left out is counted.
    assert lines[-1] == (
        f"(Còn {left_out(lines, criticism, shown)} dòng không hiển thị. Toàn văn điểm tin: {LINK})"
    )

    # Without a link the last line is shorter: it may leave room for one more line.
    lines = briefing_text(briefing).splitlines()
    start = lines.index("Phê bình:") + 1
    shown = lines[start : lines.index("", start)]
    assert shown == criticism[: len(shown)]
    assert lines[-1] == (
        f"(Còn {left_out(lines, criticism, shown)} dòng không hiển thị. "
        "Xem toàn văn điểm tin trên Tiến độ.)"
    )


def left_out(lines: list[str], criticism: list[str], shown: list[str]) -> int:
    """The lines missing from the text: criticisms, the line of missing units and the two
    lines of directions."""
    missing = len(criticism) - len(shown)
    missing += 0 if "Chưa báo cáo (1): Xã Hai Hai." in lines else 1
    return missing + sum(1 for line in DIRECTIONS.splitlines() if line not in lines)


def test_dropped_lines_are_left_out_and_added_ones_printed(briefing):
    top = next(item for item in briefing.items if item.reason == "top_of_group")
    drop_item(top, note="Đã biểu dương ở mục khác")
    add_item(
        briefing,
        section="praise",
        unit=unit_by_code("H1"),
        text="Huyện Một: chủ động tổ chức hội nghị tuyên truyền.",
    )

    text = briefing_text(briefing)
    notice = document_text(briefing_docx(briefing))

    assert top.text not in text and top.text not in notice
    assert "- Huyện Một: chủ động tổ chức hội nghị tuyên truyền." in text.splitlines()
    assert "- Huyện Một: chủ động tổ chức hội nghị tuyên truyền." in notice


@pytest.mark.parametrize(
    ("missing", "line"),
    [
        (10, "Chưa báo cáo (10): " + ", ".join(f"Xã {n}" for n in range(10)) + "."),
        (11, "Chưa báo cáo: 11 đơn vị (Cấp xã: 10, Cấp huyện: 1)."),
    ],
)
def test_up_to_ten_units_without_figures_are_named_more_are_counted(briefing, missing, line):
    rows = [{"unit": f"X{n}", "name": f"Xã {n}", "kind": "commune"} for n in range(10)]
    rows += [{"unit": "H9", "name": "Huyện Chín", "kind": "district"}][: missing - 10]
    briefing.content = {**briefing.content, "not_reported": rows}

    assert line in briefing_text(briefing).splitlines()
    db.session.rollback()


# --- the official notice ---------------------------------------------------------------------


def document_text(content: bytes) -> str:
    """Every paragraph of the document, tables included, one a line."""
    document = docx.Document(io.BytesIO(content))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return "\n".join(lines)


def test_the_notice_has_the_layout_of_an_official_notice(published):
    document = docx.Document(io.BytesIO(briefing_docx(published)))

    header = document.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH THỬ",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    ]
    assert left.paragraphs[1].runs[0].bold and not left.paragraphs[0].runs[0].bold
    assert [p.text for p in right.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    motto = right.paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    number, place = header.rows[1].cells
    assert number.text == "Số: 12/TB-STTTT"
    # Published at 00:45 UTC on 11/06, 07:45 in Ho Chi Minh City.
    assert place.text == "Bình Phước, ngày 11 tháng 6 năm 2022"
    assert place.paragraphs[0].runs[0].italic
    # No borders on the header: Word's plain table style, not "Table Grid".
    assert header.style.name == "Normal Table"
    assert document.tables[1].style.name == "Table Grid"

    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[:3] == [
        "THÔNG BÁO",
        "Điểm tin kết quả thực hiện Chiến dịch 92 ngày ngày 10/06/2022",
        "",  # the short rule under the subject
    ]
    assert "Căn cứ Kế hoạch số 170/KH-UBND ngày 25/5/2022 của UBND tỉnh;" in paragraphs
    assert (
        "Sở Thông tin và Truyền thông thông báo kết quả thực hiện đến ngày 10/06/2022 "
        "(Ngày 2/22, còn 20 ngày) như sau:" in paragraphs
    )
    assert "DỰ THẢO" not in paragraphs

    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: compare to the tenth of a millimetre.
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    assert [round(size.cm, 2) for size in sizes] == [21, 29.7, 2, 2]
    assert [round(size.cm, 2) for size in (section.left_margin, section.right_margin)] == [3, 2]
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Times New Roman", Pt(13))

    footer = document.tables[-1]
    recipients, signature = footer.rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:",
        "- UBND Tỉnh Thử (để báo cáo);",
        "- Các đơn vị tham gia chiến dịch;",
        "- Lưu: VT, STTTT.",
    ]
    assert signature.text == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"


def section_of(paragraphs: list[str], title: str, next_title: str) -> list[str]:
    return paragraphs[paragraphs.index(title) + 1 : paragraphs.index(next_title)]


def test_the_notice_holds_the_figures_rankings_lines_and_directions(published):
    document = docx.Document(io.BytesIO(briefing_docx(published)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]

    # I. T's score (1 + 25/30) ÷ 2 × 100 = 91,67, "excellent" from 90.
    assert section_of(paragraphs, "I. KẾT QUẢ THEO CHỈ TIÊU", "II. KẾT QUẢ THEO CẤP") == [
        "Điểm của Tỉnh Thử: 91,67 (Xuất sắc)."
    ]
    figures = tables[1]
    assert figures[0][0] == "Chỉ tiêu"
    assert figures[1:] == [
        [
            "Tỷ lệ hồ sơ trực tuyến",
            "96,89%",  # the day: 872/900
            "96,89%",  # the ranking window is the day
            "70,11%",  # 1.332/1.900
            "50%",
            "21,6% → 96,89%",
            "đúng tiến độ",
        ],
        ["Tỷ lệ số hóa hồ sơ", "83,33%", "83,33%", "83,33%", "100%", "– → 83,33%", "chậm tiến độ"],
    ]
    # II. Only communes enter figures. Their first week so far is 09–10/06: ONLINE
    # 1.332/1.900 = 70,11%, DIGITISED 25/30.
    assert tables[2][1] == ["Cấp xã", "70,11% → 96,89%", "83,33% → 83,33%"]
    # III. One table per group: districts of T, then every commune (a tie at 100).
    assert [row[:3] for row in tables[3][1:]] == [
        ["1", "Huyện Hai", "100"],
        ["2", "Huyện Một", "87,5"],
    ]
    assert [row[:3] for row in tables[4][1:]] == [
        ["1", "Xã Một Một", "100"],
        ["1", "Xã Hai Một", "100"],
        ["3", "Xã Một Hai", "75"],
        ["4", "Xã Hai Hai", "0"],
    ]
    assert section_of(paragraphs, "IV. BIỂU DƯƠNG", "V. PHÊ BÌNH, NHẮC NHỞ") == [
        "- " + text for text in texts(published, "praise")
    ]
    assert section_of(
        paragraphs, "V. PHÊ BÌNH, NHẮC NHỞ", "VI. ĐƠN VỊ CHƯA BÁO CÁO, NHIỆM VỤ QUÁ HẠN"
    ) == ["- " + text for text in texts(published, "criticism")]
    assert section_of(paragraphs, "VI. ĐƠN VỊ CHƯA BÁO CÁO, NHIỆM VỤ QUÁ HẠN", "VII. CHỈ ĐẠO") == [
        "Chưa báo cáo (1): Xã Hai Hai.",
        f"Nhiệm vụ “{TASK}” quá hạn (hạn 09/06/2022): Xã Một Hai.",
    ]
    assert paragraphs[paragraphs.index("VII. CHỈ ĐẠO") + 1 :][:2] == DIRECTIONS.splitlines()


def test_a_draft_notice_says_draft_and_is_dated_the_day_it_was_drafted(app_context):
    campaign = make_briefing_campaign()
    # 17:30 UTC on 04/02 is 00:30 on 05/02 in Ho Chi Minh City; days below 10 and the months
    # January and February are written with a leading zero (Decree 30/2020/NĐ-CP).
    draft, _made = draft_daily_briefing(
        campaign, DAY, user=None, now=datetime(2022, 2, 4, 17, 30, tzinfo=UTC)
    )

    document = docx.Document(io.BytesIO(briefing_docx(draft)))

    assert document.paragraphs[0].text == "DỰ THẢO"
    number, place = document.tables[0].rows[1].cells
    assert number.text == "Số: …/TB-STTTT"
    assert place.text == "Bình Phước, ngày 05 tháng 02 năm 2022"

    edit_draft(draft, directions="", number="15/TB-STTTT")  # typed in full: kept as it is

    number = docx.Document(io.BytesIO(briefing_docx(draft))).tables[0].rows[1].cells[0]
    assert number.text == "Số: 15/TB-STTTT"


@pytest.mark.parametrize(
    ("size", "shown"), [(10, list(range(1, 11))), (11, [1, 2, 3, 4, 5, 7, 8, 9, 10, 11])]
)
def test_a_ranking_of_more_than_ten_shows_its_first_and_last_five(briefing, size, shown):
    rows = [
        {"unit": f"X{n}", "name": f"Xã {n}", "rank": n, "score": 100 - n, "band": "excellent"}
        for n in range(1, size + 1)
    ]
    group = {"key": "T/commune", "title": "Cấp xã", "kind": "commune", "code": None, "rows": rows}
    briefing.content = {**briefing.content, "groups": [group]}

    document = docx.Document(io.BytesIO(briefing_docx(briefing)))

    ranking = [[cell.text for cell in row.cells] for row in document.tables[3].rows[1:]]
    names = [row[1] for row in ranking if row[1] != "…"]
    assert names == [f"Xã {n}" for n in shown]
    assert (["…", "…", "", "", ""] in ranking) == (size == 11)
    note = "11 đơn vị: 5 đơn vị đứng đầu và 5 đơn vị cuối bảng."
    assert (note in [p.text for p in document.paragraphs]) == (size == 11)
    db.session.rollback()


# --- the workbook ----------------------------------------------------------------------------


def test_the_workbook_holds_the_figures_rankings_lines_and_missing_units(published):
    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(published)))

    assert book.sheetnames == [
        "Số liệu",
        "Số liệu theo cấp",
        "Xếp hạng – Cấp huyện",
        "Xếp hạng – Tất cả xã",
        "Biểu dương, phê bình",
        "Chưa báo cáo",
        "Nhiệm vụ quá hạn",
        "Chỉ đạo",
    ]
    figures = book["Số liệu"]
    assert figures["A1"].value == TITLE
    assert figures["B4"].value == pytest.approx(91.67)
    online = [cell.value for cell in figures[6]]
    assert online[:2] == ["ONLINE", "Tỷ lệ hồ sơ trực tuyến"]
    assert online[2:10] == pytest.approx(
        [872 / 900, 872 / 900, 872, 900, 1332 / 1900, 0.5, (872 / 900) / 0.5, 0.216]
    )
    assert online[10] == pytest.approx(872 / 900 - 460 / 1000)  # change since yesterday
    assert online[11] == "Có"  # on track
    assert figures["C6"].number_format == "0.00%"
    assert figures["E6"].number_format == "#,##0"
    assert figures.freeze_panes == "C6"

    communes = book["Xếp hạng – Tất cả xã"]
    rows = [[cell.value for cell in row][:7] for row in communes.iter_rows(min_row=6)]
    # On 09/06 X11, X12 and X21 shared rank 1 (50 points each: ONLINE 50% met, DIGITISED
    # not entered), X22 4th; 7 days before is before the campaign: no movement.
    assert rows == [
        [1, 0, None, "X11", "Xã Một Một", 100, "Xuất sắc"],
        [1, 0, None, "X21", "Xã Hai Một", 100, "Xuất sắc"],
        [3, -2, None, "X12", "Xã Một Hai", 75, "Khá"],
        [4, 0, None, "X22", "Xã Hai Hai", 0, "Yếu"],
    ]

    lines = book["Biểu dương, phê bình"]
    found = [[cell.value for cell in row][:5] for row in lines.iter_rows(min_row=6)]
    assert [row[1] for row in found] == [item.reason for item in published.items]
    assert found[-1][:4] == ["Phê bình", "overdue_task", "X12", "Xã Một Hai"]

    missing = book["Chưa báo cáo"]
    assert [cell.value for cell in missing[6]] == ["X22", "Xã Hai Hai", "Cấp xã"]
    overdue = book["Nhiệm vụ quá hạn"]
    assert [cell.value for cell in overdue[6]][:1] == [TASK]
    assert overdue["B6"].value == datetime(2022, 6, 9)
    directions = book["Chỉ đạo"]
    assert [directions["A6"].value, directions["A7"].value] == DIRECTIONS.splitlines()


def test_the_workbook_keeps_dropped_lines_marked_with_their_note(briefing):
    top = next(item for item in briefing.items if item.reason == "top_of_group")
    drop_item(top, note="=Đã biểu dương ở mục khác")
    add_item(briefing, section="criticism", unit=None, text="+Các xã chưa cập nhật.")

    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing)))

    rows = [
        [cell.value for cell in row] for row in book["Biểu dương, phê bình"].iter_rows(min_row=6)
    ]
    dropped = rows[[item.id for item in briefing.items].index(top.id)]
    assert dropped[1] == "top_of_group"
    assert dropped[5] == "Có"
    # Text that would be a formula stays text.
    assert dropped[7] == "'=Đã biểu dương ở mục khác"
    assert rows[-1][:7] == [
        "Phê bình",
        "directed",
        None,
        None,
        "'+Các xã chưa cập nhật.",
        None,
        "Có",
    ]


# --- the charts ------------------------------------------------------------------------------


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


def test_the_charts_are_the_trend_of_each_indicator_and_the_ranking_of_each_group(published):
    assert chart_names(published) == [
        ("trend-ONLINE", "Tỷ lệ hồ sơ trực tuyến"),
        ("trend-DIGITISED", "Tỷ lệ số hóa hồ sơ"),
        ("ranking-1", "Cấp huyện trực thuộc Tỉnh Thử"),
        ("ranking-2", "Tất cả xã"),
    ]
    for name, _title in chart_names(published):
        width, height = png_size(briefing_chart(published, name))
        assert width == 640 and height >= 320
    # An indicator's code and a group's key name the same pictures.
    assert briefing_chart(published, "ONLINE") == briefing_chart(published, "trend-ONLINE")
    assert briefing_chart(published, "XA") == briefing_chart(published, "ranking-2")
    assert briefing_chart(published, "T/district") == briefing_chart(published, "ranking-1")
    for unknown in ("trend-NOPE", "ranking-3", "ranking-0", "NOPE", ""):
        assert briefing_chart(published, unknown) is None


# --- a published version never changes; a correction says what did ---------------------------


def test_a_published_version_gives_the_same_files_after_the_figures_change(published, app):
    text, notice = briefing_text(published), document_text(briefing_docx(published))
    workbook = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(published)))
    chart = briefing_chart(published, "trend-ONLINE")

    campaign = published.campaign
    enter_figures_for_test(campaign, {("X22", "ONLINE", DAY): (19, 20)}, at="2022-06-11 09:00")
    db.session.commit()
    db.session.expire_all()
    app.config["CHART_CACHE_FOLDER"] += "-elsewhere"  # drawn again, not read from the cache

    assert briefing_text(published) == text
    assert document_text(briefing_docx(published)) == notice
    again = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(published)))
    assert [[c.value for c in row] for row in again["Số liệu"].iter_rows()] == [
        [c.value for c in row] for row in workbook["Số liệu"].iter_rows()
    ]
    assert briefing_chart(published, "trend-ONLINE") == chart


def test_a_correction_says_so_and_lists_what_changed(published):
    campaign = published.campaign
    # X22 enters 19/20 late: T's day is (872 + 19) / (900 + 20) = 891/920 = 96,847…% → 96,85%,
    # its campaign to date (1.332 + 19) / (1.900 + 20) = 1.351/1.920 = 70,364…% → 70,36%.
    enter_figures_for_test(campaign, {("X22", "ONLINE", DAY): (19, 20)}, at="2022-06-11 09:00")
    correction, made = draft_daily_briefing(
        campaign, DAY, user=None, now=datetime(2022, 6, 11, 3, 0, tzinfo=UTC)
    )
    assert made and correction.version == 2
    assert (correction.number, correction.directions) == ("12", DIRECTIONS)

    text = briefing_text(correction)
    lines = text.splitlines()

    assert lines[0] == (
        f"{TITLE} – {correction.content['title']} (đính chính lần 1) (dự thảo) – "
        "Ngày 2/22, còn 20 ngày"
    )
    corrections = lines[lines.index("Đính chính:") + 1 : lines.index("Chỉ đạo:") - 1]
    assert "Tỷ lệ hồ sơ trực tuyến (trong ngày): 96,89% → 96,85%" in corrections
    # The ranking window is the day: its figure is not listed twice.
    assert not any("(ngày)" in line for line in corrections)
    assert "Tỷ lệ hồ sơ trực tuyến (từ đầu chiến dịch): 70,11% → 70,36%" in corrections
    assert "Xã Hai Hai đã báo cáo bổ sung." in corrections
    assert any(line.startswith("Không còn bị phê bình: Xã Hai Hai") for line in corrections)
    assert "Chưa báo cáo" not in text

    paragraphs = [p.text for p in docx.Document(io.BytesIO(briefing_docx(correction))).paragraphs]
    assert "(Đính chính lần 1)" in paragraphs
    changes = paragraphs.index(
        "Thông báo này đính chính bản đã phát hành trước; các nội dung thay đổi:"
    )
    assert paragraphs[changes + 1 : changes + 1 + len(corrections)] == [
        "- " + line for line in corrections
    ]
    assert "Xã Hai Hai đã báo cáo bổ sung." in [
        cell.value
        for (cell,) in openpyxl.load_workbook(io.BytesIO(briefing_xlsx(correction)))[
            "Chỉ đạo"
        ].iter_rows(min_col=1, max_col=1)
    ]
