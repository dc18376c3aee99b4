"""The target cascade and the consistency checks of targets.rules (DESIGN §4), on plain data.

Every expected value is worked out by hand in the test. The tree:

    P (province, 1)
    ├── A (agency, 7)
    ├── D1 (district, 2)
    │   ├── C11 (commune, 4)
    │   └── C12 (commune, 5)
    └── D2 (district, 3)
        └── C21 (commune, 6)
"""

import ast
from pathlib import Path

import pytest

from targets.rules import (
    ChildFigures,
    ConsistencyWarning,
    Effective,
    IndicatorRule,
    TargetSource,
    TreeUnit,
    WarningCode,
    check_consistency,
    count_targets,
    meets,
    ratio_target,
    relevant_units,
)

P, D1, D2, C11, C12, C21, A = 1, 2, 3, 4, 5, 6, 7
TREE = [
    TreeUnit(P, None, "province"),
    TreeUnit(A, P, "agency"),
    TreeUnit(D1, P, "district"),
    TreeUnit(C11, D1, "commune"),
    TreeUnit(C12, D1, "commune"),
    TreeUnit(D2, P, "district"),
    TreeUnit(C21, D2, "commune"),
]
PARENTS = {unit.id: unit.parent_id for unit in TREE}

RATIO = IndicatorRule(id=10, kind="ratio")
RATIO_LOWER = IndicatorRule(id=11, kind="ratio", direction="lower")
COUNT = IndicatorRule(id=20, kind="count")
COUNT_COMMUNES = IndicatorRule(id=21, kind="count", unit_kinds=frozenset({"commune"}))
COUNT_LOWER = IndicatorRule(id=22, kind="count", direction="lower")

OWN, INHERITED, SUM = TargetSource.OWN, TargetSource.INHERITED, TargetSource.SUM_OF_CHILDREN


def test_the_rules_import_neither_flask_nor_the_database():
    source = Path(__file__).resolve().parent.parent / "targets" / "rules.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not imported & {"flask", "flask_babel", "sqlalchemy", "app", "campaigns", "targets"}


# --- the ratio cascade ----------------------------------------------------------------------


def test_a_unit_with_its_own_ratio_target_keeps_it():
    assert ratio_target(P, PARENTS, {P: 0.5}) == Effective(0.5, OWN, P)


def test_a_unit_without_one_inherits_its_nearest_ancestors():
    assert ratio_target(C11, PARENTS, {P: 0.5}) == Effective(0.5, INHERITED, P)
    assert ratio_target(C11, PARENTS, {P: 0.5}).inherited


def test_a_target_set_at_a_middle_level_overrides_the_one_above_for_its_subtree_only():
    own = {P: 0.5, D1: 0.6}
    assert ratio_target(D1, PARENTS, own) == Effective(0.6, OWN, D1)
    assert ratio_target(C11, PARENTS, own) == Effective(0.6, INHERITED, D1)
    assert ratio_target(C12, PARENTS, own) == Effective(0.6, INHERITED, D1)
    assert ratio_target(C21, PARENTS, own) == Effective(0.5, INHERITED, P)
    assert ratio_target(P, PARENTS, own) == Effective(0.5, OWN, P)


def test_an_own_target_below_a_middle_one_wins():
    own = {P: 0.5, D1: 0.6, C12: 0.9}
    assert ratio_target(C12, PARENTS, own) == Effective(0.9, OWN, C12)
    assert ratio_target(C11, PARENTS, own) == Effective(0.6, INHERITED, D1)


def test_no_target_anywhere_above_means_none():
    assert ratio_target(C11, PARENTS, {}) is None
    assert ratio_target(C11, PARENTS, {D2: 0.7}) is None  # a sibling branch does not count


def test_a_zero_target_is_a_target():
    assert ratio_target(C11, PARENTS, {P: 0.0}) == Effective(0.0, INHERITED, P)


# --- count targets --------------------------------------------------------------------------


def test_relevant_units_are_those_the_indicator_applies_to_or_to_something_below():
    assert relevant_units(TREE, COUNT_COMMUNES) == {P, D1, D2, C11, C12, C21}  # not A
    assert relevant_units(TREE, COUNT) == {P, A, D1, D2, C11, C12, C21}


def test_a_count_target_without_an_own_one_is_the_sum_of_the_children():
    own = {C11: 100, C12: 150, C21: 70}
    found = count_targets(TREE, own, COUNT_COMMUNES)
    assert found[C11] == Effective(100, OWN, C11)
    assert found[D1] == Effective(250, SUM, None)  # 100 + 150
    assert found[D2] == Effective(70, SUM, None)
    assert found[P] == Effective(320, SUM, None)  # 250 + 70; A takes no part
    assert not found[P].inherited


def test_a_missing_child_leaves_the_parent_and_everything_above_without_a_sum():
    found = count_targets(TREE, {C11: 100, C21: 70}, COUNT_COMMUNES)  # C12 has none
    assert found[D1] is None
    assert found[D2] == Effective(70, SUM, None)
    assert found[P] is None


def test_a_relevant_child_without_a_target_blocks_the_sum_but_an_irrelevant_one_does_not():
    own = {C11: 100, C12: 150, C21: 70}
    assert count_targets(TREE, own, COUNT)[P] is None  # the agency A counts and has none
    assert count_targets(TREE, {**own, A: 5}, COUNT)[P] == Effective(325, SUM, None)


def test_an_own_count_target_at_a_middle_level_is_used_in_the_sum_above():
    found = count_targets(TREE, {D1: 300, C21: 70}, COUNT_COMMUNES)
    assert found[D1] == Effective(300, OWN, D1)
    assert found[C11] is None  # counts are never inherited downwards
    assert found[P] == Effective(370, SUM, None)


def test_an_own_count_target_wins_over_the_sum_of_the_children():
    found = count_targets(TREE, {P: 1000, C11: 100, C12: 150, C21: 70}, COUNT_COMMUNES)
    assert found[P] == Effective(1000, OWN, P)


def test_a_leaf_without_a_count_target_has_none():
    assert count_targets(TREE, {}, COUNT)[C11] is None


# --- consistency: counts --------------------------------------------------------------------


def children(*figures: tuple[int, float | None, int | None]) -> list[ChildFigures]:
    return [ChildFigures(unit_id, target, denominator) for unit_id, target, denominator in figures]


def test_counts_below_the_parents_target_warn_with_the_sum():
    warning = check_consistency(COUNT, D1, 2000, children((C11, 1000, None), (C12, 950, None)))
    assert warning == ConsistencyWarning(WarningCode.COUNT_BELOW, D1, COUNT.id, 2000, 1950)


@pytest.mark.parametrize("second", [1000, 1050])
def test_counts_at_or_above_the_parents_target_are_consistent(second):
    assert (
        check_consistency(COUNT, D1, 2000, children((C11, 1000, None), (C12, second, None))) is None
    )


def test_lower_is_better_counts_warn_above_the_parents_target():
    warning = check_consistency(COUNT_LOWER, D1, 10, children((C11, 6, None), (C12, 5, None)))
    assert warning == ConsistencyWarning(WarningCode.COUNT_ABOVE, D1, COUNT_LOWER.id, 10, 11)
    assert check_consistency(COUNT_LOWER, D1, 10, children((C11, 5, None), (C12, 5, None))) is None
    assert check_consistency(COUNT_LOWER, D1, 10, children((C11, 4, None), (C12, 5, None))) is None


def test_a_count_split_with_a_child_missing_says_so_and_names_it():
    warning = check_consistency(COUNT, D1, 2000, children((C11, 1000, None), (C12, None, None)))
    assert warning == ConsistencyWarning(
        WarningCode.COUNT_INCOMPLETE, D1, COUNT.id, 2000, 1000, (C12,)
    )


def test_a_count_split_already_enough_without_the_missing_child_is_consistent():
    assert (
        check_consistency(COUNT, D1, 2000, children((C11, 2000, None), (C12, None, None))) is None
    )


def test_lower_is_better_counts_already_too_high_warn_even_with_a_child_missing():
    warning = check_consistency(COUNT_LOWER, D1, 10, children((C11, 11, None), (C12, None, None)))
    assert warning == ConsistencyWarning(WarningCode.COUNT_ABOVE, D1, COUNT_LOWER.id, 10, 11)
    incomplete = check_consistency(COUNT_LOWER, D1, 10, children((C11, 4, None), (C12, None, None)))
    assert incomplete.code == WarningCode.COUNT_INCOMPLETE
    assert incomplete.unit_ids == (C12,)


def test_nothing_is_checked_before_the_parents_target_is_split_or_without_one():
    assert (
        check_consistency(COUNT, D1, 2000, children((C11, None, None), (C12, None, None))) is None
    )
    assert check_consistency(COUNT, D1, None, children((C11, 1, None))) is None
    assert check_consistency(COUNT, D1, 2000, []) is None


# --- consistency: ratios --------------------------------------------------------------------


def test_ratio_weighted_average_exactly_at_the_parents_target_is_consistent():
    # (0.4 × 300 + 0.8 × 100) / 400 = 200 / 400 = 0.5
    assert check_consistency(RATIO, D1, 0.5, children((C11, 0.4, 300), (C12, 0.8, 100))) is None


def test_ratio_weighted_average_just_below_warns_with_the_average():
    # (0.4 × 300 + 0.79 × 100) / 400 = 199 / 400 = 0.4975
    warning = check_consistency(RATIO, D1, 0.5, children((C11, 0.4, 300), (C12, 0.79, 100)))
    assert warning.code == WarningCode.RATIO_BELOW
    assert (warning.unit_id, warning.indicator_id, warning.parent_target) == (D1, RATIO.id, 0.5)
    assert warning.children_value == pytest.approx(0.4975)


def test_ratio_weighted_average_just_above_is_consistent():
    # (0.4 × 300 + 0.81 × 100) / 400 = 201 / 400 = 0.5025
    assert check_consistency(RATIO, D1, 0.5, children((C11, 0.4, 300), (C12, 0.81, 100))) is None


def test_the_weights_decide_not_the_plain_average():
    # Plain average (0.4 + 0.65) / 2 = 0.525 would pass; weighted (0.4 × 300 + 0.65 × 100) /
    # 400 = 185 / 400 = 0.4625 does not.
    warning = check_consistency(RATIO, D1, 0.5, children((C11, 0.4, 300), (C12, 0.65, 100)))
    assert warning.children_value == pytest.approx(0.4625)


def test_ratio_without_a_baseline_denominator_cannot_be_checked_and_names_the_children():
    warning = check_consistency(
        RATIO, P, 0.5, children((D1, 0.4, 300), (D2, 0.9, None), (A, 0.6, 0))
    )
    assert warning == ConsistencyWarning(
        WarningCode.RATIO_UNCHECKED, P, RATIO.id, 0.5, None, (D2, A)
    )


def test_children_meeting_the_target_each_need_no_weights():
    assert check_consistency(RATIO, D1, 0.5, children((C11, 0.5, None), (C12, 0.9, None))) is None


def test_a_child_without_its_own_ratio_target_counts_with_the_parents():
    # (0.5 × 100 + 0.4 × 100) / 200 = 0.45
    warning = check_consistency(RATIO, D1, 0.5, children((C11, None, 100), (C12, 0.4, 100)))
    assert warning.children_value == pytest.approx(0.45)


def test_lower_is_better_ratios_warn_above_the_parents_target():
    # overdue rate, target 5%: (0.04 × 100 + 0.06 × 100) / 200 = 0.05 exactly
    assert (
        check_consistency(RATIO_LOWER, D1, 0.05, children((C11, 0.04, 100), (C12, 0.06, 100)))
        is None
    )
    # (0.04 × 100 + 0.07 × 100) / 200 = 0.055
    warning = check_consistency(RATIO_LOWER, D1, 0.05, children((C11, 0.04, 100), (C12, 0.07, 100)))
    assert warning.code == WarningCode.RATIO_ABOVE
    assert warning.children_value == pytest.approx(0.055)
    # (0.04 × 100 + 0.059 × 100) / 200 = 0.0495
    assert (
        check_consistency(RATIO_LOWER, D1, 0.05, children((C11, 0.04, 100), (C12, 0.059, 100)))
        is None
    )


def test_meets_compares_in_the_indicators_direction_within_rounding():
    assert meets(0.5, 0.5, lower_is_better=False)
    assert meets(0.1 + 0.2, 0.3, lower_is_better=True)  # 0.30000000000000004
    assert meets(0.3, 0.1 + 0.2, lower_is_better=False)
    assert not meets(0.4999, 0.5, lower_is_better=False)
    assert not meets(0.5001, 0.5, lower_is_better=True)
