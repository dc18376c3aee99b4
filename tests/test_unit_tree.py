"""Subtree and ancestor queries through the closure table, on SQLite and PostgreSQL alike."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from app.db import db
from app.units import queries
from app.units.models import UnitClosure
from tests.factories import make_units


def unit_id(code: str) -> int:
    return queries.unit_by_code(code).id


def codes(statement) -> set[str]:
    return {unit.code for unit in db.session.scalars(statement)}


@contextmanager
def counted_statements():
    executed: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("P1", {"P1", "A1", "D1", "C11", "C12", "D2", "C21"}),
        ("D1", {"D1", "C11", "C12"}),
        ("C21", {"C21"}),
        ("P2", {"P2", "D3"}),
    ],
)
def test_subtree_is_the_unit_and_everything_below(world, app_context, root, expected):
    assert codes(queries.subtree(unit_id(root))) == expected
    assert set(db.session.scalars(queries.subtree_ids(unit_id(root)))) == {
        unit_id(code) for code in expected
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [("C12", ["P1", "D1", "C12"]), ("D2", ["P1", "D2"]), ("P2", ["P2"])],
)
def test_lineage_runs_from_the_root_down(world, app_context, code, expected):
    assert [unit.code for unit in queries.lineage(unit_id(code))] == expected


def test_lineage_can_be_cut_to_a_scope(world, app_context):
    within_d1 = queries.subtree_ids(unit_id("D1"))
    assert [unit.code for unit in queries.lineage(unit_id("C11"), within=within_d1)] == [
        "D1",
        "C11",
    ]


@pytest.mark.parametrize(
    ("unit", "root", "inside"),
    [
        ("C11", "P1", True),
        ("C11", "D1", True),
        ("C11", "C11", True),
        ("C11", "D2", False),
        ("P1", "C11", False),  # an ancestor is not inside its descendant
        ("D3", "P1", False),
    ],
)
def test_is_in_subtree(world, app_context, unit, root, inside):
    assert queries.is_in_subtree(unit_id(unit), unit_id(root)) is inside


def test_closure_has_one_row_per_ancestor_pair(world, app_context):
    # 9 units with themselves, 7 parent links, 3 grandparent links (P1 over C11, C12, C21).
    assert db.session.scalar(select(func.count()).select_from(UnitClosure)) == 9 + 7 + 3
    depths = dict(
        db.session.execute(
            select(UnitClosure.depth, func.count()).group_by(UnitClosure.depth)
        ).all()
    )
    assert depths == {0: 9, 1: 7, 2: 3}


def test_counts_below_a_unit_by_kind(world, app_context):
    assert queries.descendant_counts_by_kind(unit_id("P1")) == [
        ("agency", 1),
        ("district", 2),
        ("commune", 3),
    ]
    assert queries.child_kinds(unit_id("P1")) == [("agency", 1), ("district", 2)]
    assert queries.child_counts([unit_id("D1"), unit_id("D2"), unit_id("C11")]) == {
        unit_id("D1"): 2,
        unit_id("D2"): 1,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("duc", {"D1", "C11", "C12"}),  # "Đức" without accents
        ("Đức Quang", {"C12"}),
        ("THANH BINH", {"C21"}),
        ("C21", {"C21"}),  # by code
        ("100%", set()),  # LIKE wildcards are taken literally
        ("_", set()),
    ],
)
def test_search_ignores_accents_and_case_and_stays_in_the_subtree(
    world, app_context, text, expected
):
    assert codes(queries.search_subtree(unit_id("P1"), text)) == expected


def test_search_does_not_leave_the_subtree(world, app_context):
    assert codes(queries.search_subtree(unit_id("D2"), "duc")) == set()


def test_one_subtree_is_one_statement_whatever_its_size(world, app_context):
    root = unit_id("P1")
    with counted_statements() as executed:
        found = db.session.scalars(queries.subtree(root)).all()
    assert len(found) == 7
    assert len(executed) == 1


def test_deep_tree_matches_a_walk_up_the_parent_links(app_context):
    # A chain eight levels deep with a side branch at every level.
    specs = [("L0", "Level 0", "province", None)]
    for level in range(1, 8):
        specs.append((f"L{level}", f"Level {level}", "level", f"L{level - 1}"))
        specs.append((f"S{level}", f"Side {level}", "side", f"L{level - 1}"))
    make_units(*specs)

    parent_of = {code: parent for code, _name, _kind, parent in specs}

    def walk_up(code):
        chain = [code]
        while parent_of[chain[-1]] is not None:
            chain.append(parent_of[chain[-1]])
        return list(reversed(chain))

    for code in parent_of:
        assert [unit.code for unit in queries.lineage(unit_id(code))] == walk_up(code)
        below = {other for other in parent_of if code in walk_up(other)}
        assert codes(queries.subtree(unit_id(code))) == below
