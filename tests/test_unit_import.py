"""Reading a unit file (CSV or XLSX) and importing it: good files, re-imports, and every kind
of bad file, each refused as a whole with the line numbers of all its problems.

Messages are compared in English, through an English app on the session database; the
Vietnamese wording is checked on the command line (test_cli.py).
"""

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.db import db
from app.units.importing import UnitFileError, read_unit_file
from app.units.models import Unit, UnitClosure
from app.units.operations import ImportSummary, import_units
from app.units.queries import lineage, subtree, unit_by_code

HEADER = "code,name,kind,parent_code"
ALLOWED_COLUMNS = "code, name, kind, parent_code, households, population, active_from, active_to"


@pytest.fixture
def english_app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


@pytest.fixture
def english(english_app):
    with english_app.app_context():
        yield


def csv_bytes(*lines: str, delimiter: str = ",", encoding: str = "utf-8", newline="\n") -> bytes:
    """Lines written with commas; `delimiter` swaps them (no test value holds a comma)."""
    return newline.join(line.replace(",", delimiter) for line in (*lines, "")).encode(encoding)


def xlsx_bytes(*rows: list) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def import_file(path: Path) -> ImportSummary:
    """What `flask units import` does: read, import, commit."""
    summary = import_units(read_unit_file(path))
    db.session.commit()
    return summary


def stored_units() -> dict[str, tuple]:
    """code → (id, name, kind, parent code, households, population, active from, active to)."""
    parent = aliased(Unit)
    statement = select(
        Unit.code,
        Unit.id,
        Unit.name,
        Unit.kind,
        parent.code,
        Unit.households,
        Unit.population,
        Unit.active_from_date,
        Unit.active_to_date,
    ).outerjoin(parent, Unit.parent_id == parent.id)
    return {code: tuple(rest) for code, *rest in db.session.execute(statement)}


def stored_closure() -> set[tuple[int, int, int]]:
    statement = select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)
    return {tuple(row) for row in db.session.execute(statement)}


def subtree_codes(code: str) -> set[str]:
    return {unit.code for unit in db.session.scalars(subtree(unit_by_code(code).id))}


def lineage_codes(code: str) -> list[str]:
    return [unit.code for unit in lineage(unit_by_code(code).id)]


def without_ids(units: dict[str, tuple]) -> dict[str, tuple]:
    return {code: values[1:] for code, values in units.items()}


# Good files ------------------------------------------------------------------------------

GOOD_LINES = (
    HEADER + ",households,population,active_from,active_to",
    "70,Tỉnh Bình Phước,province,,,,,",
    "693,Huyện Bù Đốp,district,70,2.450,12345,01/07/2025,2030-12-31",
    "25308,Thị trấn Thanh Bình,commune,693,980,,2020-01-01,",
)
# (name, kind, parent code, households, population, active from, active to), worked out by hand
GOOD_UNITS = {
    "70": ("Tỉnh Bình Phước", "province", None, None, None, None, None),
    "693": (
        "Huyện Bù Đốp",
        "district",
        "70",
        2450,
        12345,
        date(2025, 7, 1),
        date(2030, 12, 31),
    ),
    "25308": ("Thị trấn Thanh Bình", "commune", "693", 980, None, date(2020, 1, 1), None),
}


@pytest.mark.parametrize(
    ("delimiter", "encoding", "newline"),
    [
        (",", "utf-8", "\n"),
        (";", "utf-8", "\n"),
        (",", "utf-8-sig", "\n"),
        (";", "utf-8-sig", "\r\n"),
    ],
    ids=["comma", "semicolon", "comma-with-bom", "excel-semicolon-bom-crlf"],
)
def test_csv_creates_units_with_their_attributes(english, tmp_path, delimiter, encoding, newline):
    content = csv_bytes(*GOOD_LINES, delimiter=delimiter, encoding=encoding, newline=newline)

    summary = import_file(write(tmp_path, "units.csv", content))

    assert summary == ImportSummary(created=3, updated=0, unchanged=0)
    assert without_ids(stored_units()) == GOOD_UNITS
    assert lineage_codes("25308") == ["70", "693", "25308"]


def test_xlsx_reads_numbers_and_real_date_cells(english, tmp_path):
    content = xlsx_bytes(
        GOOD_LINES[0].split(","),
        [70, "Tỉnh Bình Phước", "province", None, None, None, None, None],
        [693, "Huyện Bù Đốp", "district", 70, 2450, 12345.0, datetime(2025, 7, 1), None],
        ["25308", "Thị trấn Thanh Bình", "commune", "693", "980", None, date(2020, 1, 1), None],
    )

    summary = import_file(write(tmp_path, "units.xlsx", content))

    assert summary == ImportSummary(created=3, updated=0, unchanged=0)
    assert without_ids(stored_units()) == {
        "70": GOOD_UNITS["70"],
        "693": ("Huyện Bù Đốp", "district", "70", 2450, 12345, date(2025, 7, 1), None),
        "25308": GOOD_UNITS["25308"],
    }


def test_parent_listed_after_its_child(english, tmp_path):
    content = csv_bytes(
        HEADER,
        "C1,Xã Một,commune,D1",
        "D1,Huyện Một,district,P",
        "P,Tỉnh,province,",
    )

    import_file(write(tmp_path, "units.csv", content))

    assert lineage_codes("C1") == ["P", "D1", "C1"]
    assert subtree_codes("P") == {"P", "D1", "C1"}


def test_file_attaches_units_to_parents_already_in_the_database(world, english, tmp_path):
    content = csv_bytes(HEADER, "V1,Thôn Một,village,C11")

    summary = import_file(write(tmp_path, "villages.csv", content))

    assert summary == ImportSummary(created=1, updated=0, unchanged=0)
    assert lineage_codes("V1") == ["P1", "D1", "C11", "V1"]
    assert subtree_codes("D1") == {"D1", "C11", "C12", "V1"}
    assert len(stored_units()) == 10  # the world's 9 are kept


# Re-import -------------------------------------------------------------------------------

TREE_LINES = (
    HEADER,
    "P,Tỉnh,province,",
    "D1,Huyện Một,district,P",
    "D2,Huyện Hai,district,P",
    "C1,Xã Một,commune,D1",
    "C2,Xã Hai,commune,D1",
    "C3,Xã Ba,commune,D2",
)


def test_reimporting_the_same_file_changes_nothing(english, tmp_path):
    path = write(tmp_path, "units.csv", csv_bytes(*GOOD_LINES))
    import_file(path)
    units_before, closure_before = stored_units(), stored_closure()

    summary = import_file(path)

    assert summary == ImportSummary(created=0, updated=0, unchanged=3)
    assert stored_units() == units_before  # same ids, no duplicates
    assert stored_closure() == closure_before


def test_reimport_with_a_renamed_unit_and_a_moved_subtree_rebuilds_the_closure(english, tmp_path):
    import_file(write(tmp_path, "before.csv", csv_bytes(*TREE_LINES)))
    ids_before = {code: values[0] for code, values in stored_units().items()}
    moved = csv_bytes(
        *TREE_LINES[:2],
        "D1,Huyện Một,district,D2",  # D1 and its communes go under D2
        *TREE_LINES[3:6],
        "C3,Xã Ba Mới,commune,D2",  # renamed
    )

    summary = import_file(write(tmp_path, "after.csv", moved))

    assert summary == ImportSummary(created=0, updated=2, unchanged=4)
    units = stored_units()
    assert {code: values[0] for code, values in units.items()} == ids_before
    assert units["C3"][1] == "Xã Ba Mới"
    assert units["D1"][3] == "D2"
    assert subtree_codes("D2") == {"D2", "C3", "D1", "C1", "C2"}
    assert subtree_codes("D1") == {"D1", "C1", "C2"}
    assert lineage_codes("C2") == ["P", "D2", "D1", "C2"]
    # one row per unit and ancestor, itself included: P 1, D2 2, C3 3, D1 3, C1 4, C2 4
    assert len(stored_closure()) == 17


# Bad files -------------------------------------------------------------------------------

# Over the world's units: line 2 would rename D3, line 3 would create N1. Problems start on
# line 4 unless told otherwise.
WOULD_WRITE = ("D3,Huyện Ba (đổi tên),district,P2", "N1,Xã Mới,commune,D1")


def bad_csv(*lines: str, header: str = HEADER) -> tuple[str, bytes]:
    return "units.csv", csv_bytes(header, *WOULD_WRITE, *lines)


def unknown_parent(line: int, parent: str) -> tuple[int, str]:
    return line, f"parent code “{parent}” is neither in the file nor in the database."


def loop(line: int, *codes: str) -> tuple[int, str]:
    return line, f"the parent codes form a loop: {' → '.join(codes)}."


def bad_code(line: int, code: str) -> tuple[int, str]:
    return line, f"code “{code}” may only contain letters, digits, “.”, “_” and “-” (at most 32)."


BAD_KIND = "kind “xã” must be a lower-case word such as province, district or commune."
FORMULA = "column households holds a formula; type the value itself."
GOOD_CSV = csv_bytes(HEADER, *WOULD_WRITE)

BAD_FILES = {
    "unknown parent": (bad_csv("X1,Xã X,commune,ZZ"), [unknown_parent(4, "ZZ")]),
    "duplicate code": (
        bad_csv("N1,Xã Trùng,commune,D1"),
        [(4, "code “N1” already appears on line 3.")],
    ),
    "duplicate of a refused row": (
        bad_csv("X1,,commune,D1", "X1,Xã X,commune,D1"),
        [(4, "the name is empty."), (5, "code “X1” already appears on line 4.")],
    ),
    "empty name": (bad_csv("X1,,commune,D1"), [(4, "the name is empty.")]),
    "empty code": (bad_csv(",Xã X,commune,D1"), [(4, "the code is empty.")]),
    "empty kind": (bad_csv("X1,Xã X,,D1"), [(4, "the kind is empty.")]),
    "bad kind": (bad_csv("X1,Xã X,Xã,D1"), [(4, BAD_KIND)]),
    "bad code": (bad_csv("X 1,Xã X,commune,D1"), [bad_code(4, "X 1")]),
    "self parent": (bad_csv("X1,Xã X,commune,X1"), [(4, "a unit cannot be its own parent.")]),
    "loop inside the file": (
        bad_csv("X1,Xã A,commune,X2", "X2,Xã B,commune,X1"),
        [loop(4, "X1", "X2", "X1"), loop(5, "X2", "X1", "X2")],
    ),
    "loop with the database": (
        bad_csv("P1,Tỉnh Một,province,C11"),  # P1 under its own grandchild
        [loop(4, "P1", "C11", "D1", "P1")],
    ),
    "negative households": (
        bad_csv("X1,Xã X,commune,D1,-5", header=HEADER + ",households"),
        [(4, "households cannot be negative.")],
    ),
    "non-numeric households": (
        bad_csv("X1,Xã X,commune,D1,nhiều", header=HEADER + ",households"),
        [(4, "households “nhiều” is not a whole number.")],
    ),
    "decimal population": (
        bad_csv("X1,Xã X,commune,D1,12.5", header=HEADER + ",population"),
        [(4, "population “12.5” is not a whole number.")],
    ),
    "bad date": (
        bad_csv("X1,Xã X,commune,D1,31/02/2025", header=HEADER + ",active_from"),
        [(4, "active_from “31/02/2025” is not a date (dd/mm/yyyy).")],
    ),
    "active_to before active_from": (
        bad_csv(
            "X1,Xã X,commune,D1,01/07/2025,2025-06-30",
            header=HEADER + ",active_from,active_to",
        ),
        [(4, "active_to is before active_from.")],
    ),
    "code of 33 characters": (bad_csv("A" * 33 + ",Xã X,commune,D1"), [bad_code(4, "A" * 33)]),
    "name of 256 characters": (
        bad_csv("X1," + "ệ" * 256 + ",commune,D1"),
        [(4, "the name is longer than 255 characters.")],
    ),
    "more cells than the header": (
        bad_csv("X1,Xã X,commune,D1,thừa"),
        [(4, "the row has more cells than the header.")],
    ),
    "missing column": (
        ("units.csv", csv_bytes("code,name,parent_code", "X1,Xã X,D1")),
        [(None, "Missing columns: kind.")],
    ),
    "unknown column": (
        bad_csv("X1,Xã X,commune,D1,x", header=HEADER + ",ghi_chu"),
        [(None, f"Unknown columns: ghi_chu (allowed: {ALLOWED_COLUMNS}).")],
    ),
    "repeated column": (
        bad_csv(header=HEADER + ",name"),
        [(None, "Repeated columns: name.")],
    ),
    "missing and unknown columns": (
        ("units.csv", csv_bytes("code,ten,kind,parent_code", "X1,Xã X,commune,D1")),
        [
            (None, "Missing columns: name."),
            (None, f"Unknown columns: ten (allowed: {ALLOWED_COLUMNS})."),
        ],
    ),
    "not UTF-8": (
        ("units.csv", csv_bytes(HEADER, *WOULD_WRITE, encoding="utf-16")),
        [
            (
                None,
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”.",
            )
        ],
    ),
    "empty csv": (("units.csv", b""), [(None, "The file is empty.")]),
    "header only": (("units.csv", csv_bytes(HEADER)), [(None, "The file has no units.")]),
    "blank rows only": (
        ("units.csv", csv_bytes(HEADER, ",,,", "")),
        [(None, "The file has no units.")],
    ),
    ".xls extension": (
        ("units.xls", GOOD_CSV),
        [(None, "Only .csv and .xlsx files can be imported.")],
    ),
    ".txt extension": (
        ("units.txt", GOOD_CSV),
        [(None, "Only .csv and .xlsx files can be imported.")],
    ),
    "corrupt xlsx": (
        ("units.xlsx", bytes(range(256)) * 8),
        [(None, "The file is not a readable .xlsx workbook.")],
    ),
    "csv renamed to xlsx": (
        ("units.xlsx", GOOD_CSV),
        [(None, "The file is not a readable .xlsx workbook.")],
    ),
    "empty xlsx": (("units.xlsx", xlsx_bytes()), [(None, "The file is empty.")]),
    "xlsx formula cell after a blank row": (
        (
            "units.xlsx",
            xlsx_bytes(
                [*HEADER.split(","), "households"],
                WOULD_WRITE[0].split(","),
                [],
                ["X1", "Xã X", "commune", "D1", "=2+3"],
            ),
        ),
        [(4, FORMULA)],
    ),
    "xlsx negative number cell": (
        (
            "units.xlsx",
            xlsx_bytes(
                [*HEADER.split(","), "population"],
                WOULD_WRITE[0].split(","),
                WOULD_WRITE[1].split(","),
                ["X1", "Xã X", "commune", "D1", -12],
            ),
        ),
        [(4, "population cannot be negative.")],
    ),
    # A file with several problems lists every one of them, in line order.
    "several bad rows": (
        bad_csv(
            "X1,,Xã,D1",  # 4: two problems
            "N2,Xã Hai,commune,D1",
            "",  # a blank line still counts for the numbering
            "N1,Xã Ba,commune,D1",  # 7
            "X3,Xã Bốn,commune,D1,nhiều",  # 8
            header=HEADER + ",households",
        ),
        [
            (4, "the name is empty."),
            (4, BAD_KIND),
            (7, "code “N1” already appears on line 3."),
            (8, "households “nhiều” is not a whole number."),
        ],
    ),
    "several tree problems": (
        bad_csv(
            "X1,Xã Một,commune,ZZ",
            "N2,Xã Hai,commune,D1",
            "X3,Xã Ba,commune,YY",
            "X4,Xã Bốn,commune,X5",
            "X5,Xã Năm,commune,X4",
        ),
        [
            unknown_parent(4, "ZZ"),
            unknown_parent(6, "YY"),
            loop(7, "X4", "X5", "X4"),
            loop(8, "X5", "X4", "X5"),
        ],
    ),
    "row problem and tree problem together": (
        bad_csv("X1,,commune,D1", "X2,Xã Hai,commune,ZZ"),
        [(4, "the name is empty."), unknown_parent(5, "ZZ")],
    ),
    "two rows with more cells than the header": (
        bad_csv("X1,Xã X,commune,D1,thừa", "N2,Xã Hai,commune,D1", "X3,Xã Ba,commune,D1,,thừa"),
        [
            (4, "the row has more cells than the header."),
            (6, "the row has more cells than the header."),
        ],
    ),
    "xlsx formula and empty name": (
        (
            "units.xlsx",
            xlsx_bytes(
                [*HEADER.split(","), "households"],
                ["X1", "Xã X", "commune", "D1", "=2+3"],
                ["X2", None, "commune", "D1", 10],
            ),
        ),
        [(2, FORMULA), (3, "the name is empty.")],
    ),
}


@pytest.mark.parametrize(("file", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_is_refused_with_every_problem_and_nothing_is_written(
    world, english, tmp_path, file, expected
):
    units_before, closure_before = stored_units(), stored_closure()
    path = write(tmp_path, *file)

    with pytest.raises(UnitFileError) as refused:
        import_file(path)

    assert [(error.line, error.message) for error in refused.value.errors] == expected
    assert stored_units() == units_before
    assert stored_closure() == closure_before


def test_longest_code_and_name_are_accepted(english, tmp_path):
    code, name = "A" * 32, "Xã " + "ệ" * 252
    content = csv_bytes(HEADER, f"{code},{name},commune,")

    import_file(write(tmp_path, "units.csv", content))

    assert list(stored_units()) == [code]
    assert len(unit_by_code(code).name) == 255
    assert unit_by_code(code).name == name


def test_name_of_255_characters_with_a_compatibility_character_is_stored(english, tmp_path):
    # "…" is one character that accent-free search spells as three ("...").
    name = "Tổ dân phố " + "x" * 243 + "…"
    assert len(name) == 255
    content = csv_bytes(HEADER, f"T1,{name},village,")

    import_file(write(tmp_path, "units.csv", content))

    assert unit_by_code("T1").name == name


def test_households_of_the_largest_database_integer_are_stored(english, tmp_path):
    content = csv_bytes(HEADER + ",households", "X1,Xã X,commune,,2.147.483.647")

    import_file(write(tmp_path, "units.csv", content))

    assert unit_by_code("X1").households == 2_147_483_647


def test_households_beyond_the_database_integer_are_a_row_error(english, tmp_path):
    content = csv_bytes(HEADER + ",households", "X1,Xã X,commune,,2.147.483.648")

    with pytest.raises(UnitFileError) as refused:
        import_file(write(tmp_path, "units.csv", content))

    assert [error.line for error in refused.value.errors] == [2]
    assert stored_units() == {}
