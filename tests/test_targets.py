"""Targets on the database: the cascade through the queries (and that the SQL agrees with
targets.rules), consistency warnings, the operations and every refusal of "Bad input", the
revisions, the 92-day template and the target pages.

The World of tests/factories.py: P1{A1, D1{C11, C12}, D2{C21}}, P2{D3}; admin@P1,
manager@D1, reporter@C11, viewer@P1, reporter2@C12, admin2@P2. Expected values are worked out
by hand.
"""

import html
import re
from contextlib import contextmanager
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.db import db
from app.units.models import Unit
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus, Indicator
from campaigns.queries import campaign_by_code
from targets import queries
from targets.models import Baseline, Milestone, Source, Target, TargetRevision
from targets.operations import (
    MilestoneInput,
    TargetError,
    TargetInput,
    apply_to_children,
    plan_targets,
    set_milestones,
    set_targets,
)
from targets.presets import apply_preset
from targets.rules import (
    Effective,
    TargetSource,
    TreeUnit,
    WarningCode,
    count_targets,
    ratio_target,
)
from tests.factories import make_campaign, make_indicator, make_units, set_targets_for_test

OWN, INHERITED, SUM = TargetSource.OWN, TargetSource.INHERITED, TargetSource.SUM_OF_CHILDREN


def text_of(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


def build(
    app,
    *,
    code: str = "CD92",
    owner: str = "P1",
    status: str = CampaignStatus.ACTIVE,
    targets: dict | None = None,
    baselines: dict | None = None,
) -> None:
    """A campaign with three indicators: HS (ratio), QUA_HAN (ratio, lower is better) and
    TEAM (count, communes only)."""
    with english(app):
        campaign = make_campaign(code, owner)
        make_indicator(campaign, "HS", name="Tỷ lệ hồ sơ trực tuyến")
        make_indicator(campaign, "QUA_HAN", direction="lower", name="Tỷ lệ quá hạn")
        make_indicator(campaign, "TEAM", "count", "stock", unit_kinds=["commune"], name="Số tổ")
        set_targets_for_test(campaign, targets, baselines=baselines)
        campaign.status = status
        db.session.commit()


@contextmanager
def english(app):
    """An application context whose messages are in English (the source language)."""
    with app.app_context(), force_locale("en"):
        yield


def ids(world, *codes: str) -> list[int]:
    return [world.units[code] for code in codes]


def indicator_id(code: str, campaign: str = "CD92") -> int:
    return next(i.id for i in campaign_by_code(campaign).indicators if i.code == code)


def own_value(unit: str, indicator: str, campaign: str = "CD92") -> float | None:
    row = db.session.scalar(
        select(Target).where(
            Target.unit_id == unit_by_code(unit).id,
            Target.indicator_id == indicator_id(indicator, campaign),
        )
    )
    return None if row is None else row.value


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user(name: str):
    return user_by_username(name)


# --- the cascade through the queries --------------------------------------------------------


def test_ratio_cascade_own_inherited_and_overridden_at_a_middle_level(app, world):
    build(app, targets={("P1", "HS"): 0.5, ("D1", "HS"): 0.6, ("C12", "HS"): 0.9})
    with english(app):
        hs = indicator_id("HS")
        u = world.units
        found = queries.effective_ratio_targets([hs], list(u.values()))
        assert found[(u["P1"], hs)] == Effective(0.5, OWN, u["P1"])
        assert found[(u["A1"], hs)] == Effective(0.5, INHERITED, u["P1"])
        assert found[(u["D1"], hs)] == Effective(0.6, OWN, u["D1"])
        assert found[(u["C11"], hs)] == Effective(0.6, INHERITED, u["D1"])
        assert found[(u["C12"], hs)] == Effective(0.9, OWN, u["C12"])
        assert found[(u["D2"], hs)] == Effective(0.5, INHERITED, u["P1"])
        assert found[(u["C21"], hs)] == Effective(0.5, INHERITED, u["P1"])
        assert (u["P2"], hs) not in found and (u["D3"], hs) not in found


OWN_TARGET_SETS = [
    {},
    {"P1": 0.5},
    {"D1": 0.7},
    {"P1": 0.5, "D1": 0.6},
    {"P1": 0.5, "D1": 0.6, "C12": 0.9, "C21": 0.2},
    {"C11": 0.3, "D2": 0.4, "A1": 1.0},
    {"P1": 0.0, "P2": 0.8},
    {"P1": 0.5, "V1": 0.95},
    {"D1": 0.6, "H1": 0.1},
]


@pytest.mark.parametrize("own_codes", OWN_TARGET_SETS)
def test_the_sql_cascade_agrees_with_the_rules_for_every_unit(app, world, own_codes):
    with english(app):
        # Two more levels below C11: village V1, hamlet H1.
        make_units(("V1", "Thôn Một", "village", "C11"), ("H1", "Xóm Một", "hamlet", "V1"))
        campaign = make_campaign("CD92", "P1")
        other = make_campaign("OTHER", "P2")
        hs = make_indicator(campaign, "HS")
        elsewhere = make_indicator(other, "HS")
        set_targets_for_test(
            campaign, {(code, "HS"): value for code, value in own_codes.items() if code != "P2"}
        )
        set_targets_for_test(
            other, {(code, "HS"): value for code, value in own_codes.items() if code == "P2"}
        )
        units = list(db.session.scalars(select(Unit)))
        parents = {unit.id: unit.parent_id for unit in units}
        for indicator in (hs, elsewhere):
            rows = db.session.scalars(select(Target).where(Target.indicator_id == indicator.id))
            own = {row.unit_id: row.value for row in rows}
            from_sql = queries.effective_ratio_targets([indicator.id], [unit.id for unit in units])
            for unit in units:
                assert from_sql.get((unit.id, indicator.id)) == ratio_target(unit.id, parents, own)


def test_count_targets_add_up_through_the_queries_and_agree_with_the_rules(app, world):
    build(app, targets={("C11", "TEAM"): 1000, ("C12", "TEAM"): 950, ("C21", "TEAM"): 70})
    with english(app):
        team = indicator_id("TEAM")
        campaign = campaign_by_code("CD92")
        u = world.units
        found = queries.effective_count_targets(u["P1"], campaign.indicators)
        assert found[(u["D1"], team)] == Effective(1950, SUM, None)
        assert found[(u["D2"], team)] == Effective(70, SUM, None)
        assert found[(u["P1"], team)] == Effective(2020, SUM, None)  # A1 does not take TEAM
        assert (u["A1"], team) not in found
        tree = [
            TreeUnit(unit.id, unit.parent_id, unit.kind)
            for unit in db.session.scalars(
                select(Unit).where(
                    Unit.id.in_(ids(world, "P1", "A1", "D1", "C11", "C12", "D2", "C21"))
                )
            )
        ]
        rule = queries.indicator_rule(campaign.indicators[2])
        by_rules = count_targets(tree, {u["C11"]: 1000, u["C12"]: 950, u["C21"]: 70}, rule)
        assert {key: value for key, value in by_rules.items() if value} == {
            unit_id: effective for (unit_id, _i), effective in found.items()
        }


def test_a_missing_count_target_below_leaves_the_sum_empty(app, world):
    build(app, targets={("C11", "TEAM"): 1000, ("C21", "TEAM"): 70})
    with english(app):
        team = indicator_id("TEAM")
        found = queries.effective_targets(
            campaign_by_code("CD92").indicators,
            ids(world, "P1", "D1", "D2"),
            root_id=world.units["P1"],
        )
        assert (world.units["D1"], team) not in found
        assert (world.units["P1"], team) not in found
        assert found[(world.units["D2"], team)] == Effective(70, SUM, None)


# --- consistency warnings -------------------------------------------------------------------


def test_count_warning_when_the_children_add_up_to_less(app, world):
    build(app, targets={("D1", "TEAM"): 2000, ("C11", "TEAM"): 1000, ("C12", "TEAM"): 950})
    with english(app):
        warnings = queries.consistency_warnings(campaign_by_code("CD92"), unit_by_code("D1"))
        assert [(w.code, w.unit_id, w.parent_target, w.children_value) for w in warnings] == [
            (WarningCode.COUNT_BELOW, world.units["D1"], 2000, 1950)  # 1000 + 950
        ]
        # Seen from the province, D1 is one of the children checked.
        from_above = queries.consistency_warnings(campaign_by_code("CD92"), unit_by_code("P1"))
        assert [(w.code, w.unit_id) for w in from_above] == [
            (WarningCode.COUNT_BELOW, world.units["D1"])
        ]


def test_count_consistent_at_exactly_the_parents_target(app, world):
    build(app, targets={("D1", "TEAM"): 2000, ("C11", "TEAM"): 1000, ("C12", "TEAM"): 1000})
    with english(app):
        assert queries.consistency_warnings(campaign_by_code("CD92"), unit_by_code("D1")) == []


def test_ratio_warning_weighted_by_baseline_denominators(app, world):
    # P1 50%; children A1 (inherits 50%, d=100), D1 40% (d=300), D2 79% (d=100):
    # (0.5 × 100 + 0.4 × 300 + 0.79 × 100) / 500 = 249 / 500 = 0.498 < 0.5
    build(
        app,
        targets={("P1", "HS"): 0.5, ("D1", "HS"): 0.4, ("D2", "HS"): 0.79},
        baselines={("A1", "HS"): (50, 100), ("D1", "HS"): (90, 300), ("D2", "HS"): (20, 100)},
    )
    with english(app):
        warnings = queries.consistency_warnings(campaign_by_code("CD92"), unit_by_code("P1"))
        assert len(warnings) == 1
        assert warnings[0].code == WarningCode.RATIO_BELOW
        assert warnings[0].unit_id == world.units["P1"]
        assert warnings[0].children_value == pytest.approx(0.498)


def test_ratio_consistent_exactly_at_the_parents_target(app, world):
    # (0.5 × 100 + 0.4 × 300 + 0.8 × 100) / 500 = 250 / 500 = 0.5
    build(
        app,
        targets={("P1", "HS"): 0.5, ("D1", "HS"): 0.4, ("D2", "HS"): 0.8},
        baselines={("A1", "HS"): (50, 100), ("D1", "HS"): (90, 300), ("D2", "HS"): (20, 100)},
    )
    with english(app):
        assert queries.consistency_warnings(campaign_by_code("CD92"), unit_by_code("P1")) == []


def test_ratio_unchecked_names_the_children_without_a_baseline(app, world):
    build(
        app,
        targets={("P1", "HS"): 0.5, ("D1", "HS"): 0.4},
        baselines={("D1", "HS"): (90, 300)},
    )
    with english(app):
        (warning,) = queries.consistency_warnings(campaign_by_code("CD92"), unit_by_code("P1"))
        assert warning.code == WarningCode.RATIO_UNCHECKED
        assert set(warning.unit_ids) == set(ids(world, "A1", "D2"))


def test_warnings_are_shown_in_words_with_their_figures(app, world, login):
    build(app, targets={("D1", "TEAM"): 2000, ("C11", "TEAM"): 1000, ("C12", "TEAM"): 950})
    client = login("admin")
    page = text_of(client.get("/campaigns/CD92/targets/units/D1"))
    assert "1.950 < 2.000" in page and "Huyện Đức Hợp" in page  # Vietnamese number format
    client.get("/language/en")
    page = text_of(client.get("/campaigns/CD92/targets/units/D1"))
    assert "Số tổ: Σ targets of the units below 1,950 < 2,000 of Huyện Đức Hợp." in page


def test_ratio_warning_in_words(app, world, login):
    build(
        app,
        targets={("P1", "HS"): 0.5, ("D1", "HS"): 0.4, ("D2", "HS"): 0.79},
        baselines={("A1", "HS"): (50, 100), ("D1", "HS"): (90, 300), ("D2", "HS"): (20, 100)},
    )
    client = login("admin")
    client.get("/language/en")
    page = text_of(client.get("/campaigns/CD92/targets/units/P1"))
    assert (
        "Tỷ lệ hồ sơ trực tuyến: targets of the units below, weighted by their baseline "
        "denominators, 49.8% < 50% of Tỉnh Một." in page
    )


# --- operations: refusals -------------------------------------------------------------------


BAD_INPUTS = [
    (TargetInput("P1", "HS", target=1.01), "target", "between 0% and 100%"),
    (TargetInput("P1", "HS", target=-0.01), "target", "between 0% and 100%"),
    (TargetInput("C11", "TEAM", target=-1), "target", "whole number, 0 or more"),
    (TargetInput("C11", "TEAM", target=2.5), "target", "whole number, 0 or more"),
    (TargetInput("NOPE", "HS", target=0.5), "unit", "No unit has the code “NOPE”."),
    (TargetInput("P1", "NOPE", target=0.5), "indicator", "has no indicator “NOPE”"),
    (TargetInput("A1", "TEAM", target=5), "indicator", "applies neither to Sở Tư pháp"),
    (
        TargetInput("P1", "HS", baseline_numerator=5, baseline_denominator=4),
        "baseline_numerator",
        "cannot be larger than its denominator",
    ),
    (
        TargetInput("P1", "HS", baseline_numerator=0, baseline_denominator=0),
        "baseline_denominator",
        "must be more than 0",
    ),
    (
        TargetInput("P1", "HS", baseline_numerator=5),
        "baseline_denominator",
        "both a numerator and a denominator",
    ),
    (
        TargetInput("P1", "HS", baseline_numerator=-1, baseline_denominator=4),
        "baseline_numerator",
        "whole number, 0 or more",
    ),
    (
        TargetInput("P1", "HS", baseline_numerator=1.5, baseline_denominator=4),
        "baseline_numerator",
        "whole number, 0 or more",
    ),
    (
        TargetInput("C11", "TEAM", baseline_numerator=5, baseline_denominator=10),
        "baseline_denominator",
        "A count has no baseline denominator",
    ),
]


@pytest.mark.parametrize(("item", "field", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(
    app, world, item, field, message
):
    build(app)
    with english(app):
        campaign = campaign_by_code("CD92")
        good = TargetInput("D1", "HS", target=0.6)
        with pytest.raises(TargetError) as raised:
            set_targets(campaign, [good, item], user=user("admin"), source=Source.API)
        (problem,) = raised.value.problems
        assert problem.field == field
        assert message in problem.message
        assert not raised.value.out_of_scope
        assert count_rows(Target) == 0
        assert count_rows(Baseline) == 0
        assert count_rows(TargetRevision) == 0


def test_every_problem_of_a_batch_is_listed_with_its_position(app, world):
    build(app)
    with english(app):
        items = [
            TargetInput("P1", "HS", target=0.5, position=0),
            TargetInput("P1", "HS", target=2, position=1),
            TargetInput("C11", "TEAM", target=-3, position=2),
            TargetInput("XX", "HS", target=0.5, position=3),
            TargetInput("P1", "HS", target=0.6, position=4),  # P1/HS a second time
        ]
        with pytest.raises(TargetError) as raised:
            plan_targets(campaign_by_code("CD92"), items, user=user("admin"))
        assert [(p.position, p.field) for p in raised.value.problems] == [
            (1, "target"),
            (2, "target"),
            (3, "unit"),
            (4, "unit"),
        ]
        assert "more than once" in raised.value.problems[3].message


@pytest.mark.parametrize(
    ("username", "unit", "message"),
    [
        ("reporter", "C11", "Your role may not set targets"),
        ("viewer", "D1", "Your role may not set targets"),
        ("manager", "D1", "You cannot set the targets of your own unit Huyện Đức Hợp"),
        ("manager", "D2", "Unit “D2” is outside your units."),
        ("admin2", "P1", "Unit “P1” is outside your units."),
    ],
)
def test_users_without_the_right_are_refused(app, world, username, unit, message):
    build(app)
    with english(app):
        with pytest.raises(TargetError) as raised:
            set_targets(
                campaign_by_code("CD92"),
                [TargetInput(unit, "HS", target=0.5)],
                user=user(username),
                source=Source.WEB,
            )
        assert raised.value.out_of_scope
        assert message in raised.value.problems[0].message
        assert count_rows(Target) == 0


def test_a_manager_sets_the_targets_of_the_units_below_it(app, world):
    build(app)
    with english(app):
        changes = set_targets(
            campaign_by_code("CD92"),
            [TargetInput("C11", "HS", target=0.7), TargetInput("C12", "TEAM", target=40)],
            user=user("manager"),
            source=Source.WEB,
        )
        assert len(changes) == 2
        assert own_value("C11", "HS") == 0.7
        assert own_value("C12", "TEAM") == 40


def test_a_unit_outside_the_campaign_is_refused(app, world):
    build(app, owner="D1")
    with english(app):
        with pytest.raises(TargetError) as raised:
            set_targets(
                campaign_by_code("CD92"),
                [TargetInput("D2", "HS", target=0.5)],
                user=user("admin"),
                source=Source.WEB,
            )
        assert "is not part of campaign CD92" in raised.value.problems[0].message


def test_a_closed_campaign_changes_nothing(app, world):
    build(app, status=CampaignStatus.CLOSED)
    with english(app):
        with pytest.raises(TargetError) as raised:
            set_targets(
                campaign_by_code("CD92"),
                [TargetInput("P1", "HS", target=0.5)],
                user=user("admin"),
                source=Source.WEB,
            )
        assert "closed" in raised.value.problems[0].message
        assert count_rows(Target) == 0


def test_a_target_changed_by_someone_else_meanwhile_is_not_overwritten(app, world):
    build(app, targets={("P1", "HS"): 0.6})
    with english(app):
        with pytest.raises(TargetError) as raised:
            set_targets(
                campaign_by_code("CD92"),
                [TargetInput("P1", "HS", target=0.7, expected_target=0.5)],
                user=user("admin"),
                source=Source.WEB,
            )
        assert "Someone else has changed this target" in raised.value.problems[0].message
        assert own_value("P1", "HS") == 0.6


# --- revisions ------------------------------------------------------------------------------


def revisions() -> list[tuple]:
    return [
        (
            r.unit.code,
            r.indicator.code,
            r.subject,
            r.milestone_date,
            r.old_value,
            r.new_value,
            r.changed_by.username if r.changed_by else None,
            r.source,
        )
        for r in db.session.scalars(select(TargetRevision).order_by(TargetRevision.id))
    ]


def test_every_change_is_kept_with_old_new_who_and_source_and_unchanged_values_write_nothing(
    app, world
):
    build(app)
    with english(app):
        campaign = campaign_by_code("CD92")
        admin = user("admin")

        def put(*items, source=Source.WEB):
            return set_targets(campaign, list(items), user=admin, source=source)

        assert len(put(TargetInput("P1", "HS", target=0.5))) == 1
        assert put(TargetInput("P1", "HS", target=0.5)) == []  # unchanged: no revision
        put(TargetInput("P1", "HS", target=0.6), source=Source.API)
        put(
            TargetInput("D1", "HS", baseline_numerator=216, baseline_denominator=1000),
            source=Source.EXCEL,
        )
        assert put(TargetInput("D1", "HS", baseline_numerator=216, baseline_denominator=1000)) == []
        put(TargetInput("P1", "HS", target=None))  # back to nothing
        put(TargetInput("D1", "HS", baseline_numerator=None, baseline_denominator=None))
        db.session.commit()
        assert revisions() == [
            ("P1", "HS", "target", None, None, 0.5, "admin", "web"),
            ("P1", "HS", "target", None, 0.5, 0.6, "admin", "api"),
            ("D1", "HS", "baseline_numerator", None, None, 216, "admin", "excel"),
            ("D1", "HS", "baseline_denominator", None, None, 1000, "admin", "excel"),
            ("P1", "HS", "target", None, 0.6, None, "admin", "web"),
            ("D1", "HS", "baseline_numerator", None, 216, None, "admin", "web"),
            ("D1", "HS", "baseline_denominator", None, 1000, None, "admin", "web"),
        ]
        assert count_rows(Target) == 0 and count_rows(Baseline) == 0
        assert all(r.changed_at is not None for r in db.session.scalars(select(TargetRevision)))


def test_a_typed_percent_is_kept_as_the_fraction_it_means(app, world):
    build(app)
    with english(app):
        set_targets(
            campaign_by_code("CD92"),
            [TargetInput("P1", "HS", target=82.89 / 100)],
            user=user("admin"),
            source=Source.WEB,
        )
        assert own_value("P1", "HS") == 0.8289
        assert (
            set_targets(
                campaign_by_code("CD92"),
                [TargetInput("P1", "HS", target=0.8289)],
                user=user("admin"),
                source=Source.WEB,
            )
            == []
        )


# --- milestones and "apply to all children" -------------------------------------------------


def test_milestones_inside_the_campaign_with_revisions(app, world):
    build(app)
    with english(app):
        campaign = campaign_by_code("CD92")
        unit = unit_by_code("D1")
        hs = next(i for i in campaign.indicators if i.code == "HS")
        changes = set_milestones(
            campaign,
            unit,
            hs,
            [MilestoneInput(date(2022, 6, 1), 0.3), MilestoneInput(date(2022, 8, 31), 0.5)],
            user=user("admin"),
            source=Source.WEB,
        )
        assert len(changes) == 2
        for bad_day in (date(2022, 5, 31), date(2022, 9, 1)):
            with pytest.raises(TargetError) as raised:
                set_milestones(
                    campaign,
                    unit,
                    hs,
                    [MilestoneInput(bad_day, 0.4)],
                    user=user("admin"),
                    source=Source.WEB,
                )
            assert "01/06/2022 to 31/08/2022" in raised.value.problems[0].message
        with pytest.raises(TargetError) as raised:
            set_milestones(
                campaign,
                unit,
                hs,
                [MilestoneInput(date(2022, 7, 1), 1.5)],
                user=user("admin"),
                source=Source.WEB,
            )
        assert "between 0% and 100%" in raised.value.problems[0].message
        with pytest.raises(TargetError) as raised:
            set_milestones(
                campaign,
                unit,
                hs,
                [MilestoneInput(date(2022, 7, 1), 0.4)],
                user=user("manager"),
                source=Source.WEB,
            )
        assert raised.value.out_of_scope
        set_milestones(
            campaign,
            unit,
            hs,
            [MilestoneInput(date(2022, 6, 1), None)],
            user=user("admin"),
            source=Source.WEB,
        )
        db.session.commit()
        assert [(m.milestone_date, m.value) for m in db.session.scalars(select(Milestone))] == [
            (date(2022, 8, 31), 0.5)
        ]
        assert revisions()[-1] == (
            "D1",
            "HS",
            "milestone",
            date(2022, 6, 1),
            0.3,
            None,
            "admin",
            "web",
        )


def test_apply_to_all_children_sets_every_child_the_indicator_applies_to(app, world):
    build(app)
    with english(app):
        campaign = campaign_by_code("CD92")
        team = next(i for i in campaign.indicators if i.code == "TEAM")
        hs = next(i for i in campaign.indicators if i.code == "HS")
        apply_to_children(campaign, unit_by_code("P1"), team, 12, user=user("admin"))
        assert own_value("D1", "TEAM") == 12 and own_value("D2", "TEAM") == 12
        assert own_value("A1", "TEAM") is None  # an agency has no communes
        apply_to_children(campaign, unit_by_code("D1"), hs, 0.65, user=user("manager"))
        assert own_value("C11", "HS") == 0.65 and own_value("C12", "HS") == 0.65
        assert own_value("D1", "HS") is None


# --- the 92-day template --------------------------------------------------------------------


def test_the_template_creates_exactly_five_indicators_and_five_targets(app, world):
    with english(app):
        campaign = make_campaign("CD92", "P1")
        apply_preset(campaign, user=user("admin"))
        db.session.commit()
        campaign = campaign_by_code("CD92")
        assert [
            (
                i.code,
                i.kind,
                i.measure,
                i.direction,
                i.weight,
                i.numerator_label,
                i.denominator_label,
            )
            for i in campaign.indicators
        ] == [
            (
                "DVC_PHAT_SINH",
                "ratio",
                "stock",
                "higher",
                1.0,
                "Số DVCTT phát sinh hồ sơ",
                "Số DVCTT cung cấp",
            ),
            (
                "HS_TRUC_TUYEN",
                "ratio",
                "flow",
                "higher",
                1.0,
                "Số hồ sơ tiếp nhận trực tuyến",
                "Tổng số hồ sơ tiếp nhận",
            ),
            (
                "SO_HOA",
                "ratio",
                "flow",
                "higher",
                1.0,
                "Số hồ sơ được số hóa",
                "Số hồ sơ đã giải quyết",
            ),
            (
                "BAO_CAO_TT",
                "ratio",
                "flow",
                "higher",
                1.0,
                "Số báo cáo thực hiện trực tuyến",
                "Số báo cáo phải thực hiện",
            ),
            (
                "DUNG_HAN",
                "ratio",
                "flow",
                "higher",
                1.0,
                "Số hồ sơ giải quyết đúng hạn",
                "Số hồ sơ đã giải quyết",
            ),
        ]
        assert count_rows(Indicator) == 5
        targets = {
            (t.unit.code, t.indicator.code): t.value for t in db.session.scalars(select(Target))
        }
        assert targets == {
            ("P1", "DVC_PHAT_SINH"): 0.8,
            ("P1", "HS_TRUC_TUYEN"): 0.5,
            ("P1", "SO_HOA"): 1.0,
            ("P1", "BAO_CAO_TT"): 0.5,
            ("P1", "DUNG_HAN"): 1.0,
        }
        assert {r.source for r in db.session.scalars(select(TargetRevision))} == {"template"}


def test_the_template_is_refused_on_a_campaign_that_has_indicators(app, world):
    build(app)
    with english(app):
        with pytest.raises(TargetError) as raised:
            apply_preset(campaign_by_code("CD92"), user=user("admin"))
        assert "no indicators yet" in raised.value.problems[0].message
        assert count_rows(Indicator) == 3


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "owner", "expected"),
    [
        ("admin", "P1", "P1"),
        ("manager", "P1", "D1"),
        ("reporter", "P1", "C11"),
        ("admin", "D1", "D1"),
    ],
)
def test_the_targets_link_opens_the_users_unit_or_the_owner(
    app, world, login, username, owner, expected
):
    build(app, owner=owner)
    response = login(username).get("/campaigns/CD92/targets")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/campaigns/CD92/targets/units/{expected}"


def test_the_grid_shows_own_and_inherited_targets_as_percent_and_counts(app, world, login):
    build(
        app,
        targets={
            ("P1", "HS"): 0.5,
            ("D1", "HS"): 0.8289,
            ("C11", "TEAM"): 1080,
            ("C12", "TEAM"): 7,
        },
    )
    client = login("viewer")
    client.get("/language/en")
    response = client.get("/campaigns/CD92/targets/units/P1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="table-responsive target-grid"' in html
    page = text_of(response)
    assert "Tỉnh Một 50% own target" in re.sub(r"Province · P1 ", "", page)
    assert "Huyện Đức Hợp District · D1 82.89% own target" in page
    assert "Huyện Bù Đốp District · D2 50% from Tỉnh Một" in page
    assert "1,087 Σ of the units below" in page  # D1's TEAM: 1080 + 7
    assert "<input" not in html.split('id="target-grid"')[1]  # a viewer edits nothing
    vietnamese = text_of(login("viewer").get("/campaigns/CD92/targets/units/D1"))
    assert "82,89%" in vietnamese and "1.080" in vietnamese


def test_an_admin_types_a_percent_with_a_decimal_comma(app, world, login):
    build(app, targets={("P1", "HS"): 0.5})
    with english(app):
        hs = indicator_id("HS")
    client = login("admin")
    response = client.post(
        "/campaigns/CD92/targets/units/P1",
        data={
            f"target-{world.units['P1']}-{hs}": "82,89",
            f"original-{world.units['P1']}-{hs}": "0.5",
            f"target-{world.units['D1']}-{hs}": "82.5",
            f"original-{world.units['D1']}-{hs}": "",
        },
    )
    assert response.status_code == 302
    with english(app):
        assert own_value("P1", "HS") == 0.8289
        assert own_value("D1", "HS") == 0.825
        assert [r.source for r in db.session.scalars(select(TargetRevision))][-2:] == ["web", "web"]


def test_emptying_a_cell_gives_the_unit_its_inherited_target_back(app, world, login):
    build(app, targets={("P1", "HS"): 0.5, ("D1", "HS"): 0.6})
    with english(app):
        hs = indicator_id("HS")
    response = login("admin").post(
        "/campaigns/CD92/targets/units/P1",
        data={f"target-{world.units['D1']}-{hs}": "", f"original-{world.units['D1']}-{hs}": "0.6"},
    )
    assert response.status_code == 302
    with english(app):
        assert own_value("D1", "HS") is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "“abc” is not a number."),
        ("120", "between 0% and 100%"),
        ("-5", "between 0% and 100%"),
    ],
)
def test_a_bad_cell_is_refused_and_nothing_is_saved(app, world, login, typed, message):
    build(app)
    with english(app):
        hs = indicator_id("HS")
    client = login("admin")
    client.get("/language/en")
    response = client.post(
        "/campaigns/CD92/targets/units/P1",
        data={
            f"target-{world.units['P1']}-{hs}": "50",
            f"original-{world.units['P1']}-{hs}": "",
            f"target-{world.units['D1']}-{hs}": typed,
            f"original-{world.units['D1']}-{hs}": "",
        },
    )
    assert response.status_code == 422
    assert message in text_of(response)
    assert "Nothing was saved" in text_of(response)
    with english(app):
        assert count_rows(Target) == 0


def test_a_count_cell_takes_whole_numbers_only(app, world, login):
    build(app)
    with english(app):
        team = indicator_id("TEAM")
    client = login("admin")
    client.get("/language/en")
    field = f"target-{world.units['D1']}-{team}"
    response = client.post(
        "/campaigns/CD92/targets/units/P1",
        data={field: "-3", f"original-{world.units['D1']}-{team}": ""},
    )
    assert response.status_code == 422
    assert "whole number, 0 or more" in text_of(response)
    response = client.post(
        "/campaigns/CD92/targets/units/P1",
        data={field: "1.080", f"original-{world.units['D1']}-{team}": ""},
    )
    assert response.status_code == 302
    with english(app):
        assert own_value("D1", "TEAM") == 1080


def test_a_manager_edits_its_children_but_not_its_own_unit(app, world, login):
    build(app, targets={("P1", "HS"): 0.5})
    with english(app):
        hs = indicator_id("HS")
    client = login("manager")
    html = client.get("/campaigns/CD92/targets/units/D1").get_data(as_text=True)
    assert f'name="target-{world.units["C11"]}-{hs}"' in html
    assert f'name="target-{world.units["D1"]}-{hs}"' not in html
    # A forged cell for its own unit is ignored: only editable cells are read.
    response = client.post(
        "/campaigns/CD92/targets/units/D1",
        data={f"target-{world.units['D1']}-{hs}": "90", f"original-{world.units['D1']}-{hs}": ""},
    )
    assert response.status_code == 302
    with english(app):
        assert own_value("D1", "HS") is None


def test_a_reporter_sees_the_grid_of_its_unit_but_cannot_change_it(app, world, login):
    build(app, targets={("P1", "HS"): 0.5})
    client = login("reporter")
    client.get("/language/en")
    response = client.get("/campaigns/CD92/targets/units/C11")
    assert response.status_code == 200
    assert "50% from Tỉnh Một" in text_of(response)
    assert "Save targets" not in text_of(response)
    assert client.get("/campaigns/CD92/targets/units/D1").status_code == 403


def test_a_stale_grid_does_not_overwrite_a_newer_target(app, world, login):
    build(app, targets={("P1", "HS"): 0.6})
    with english(app):
        hs = indicator_id("HS")
    client = login("admin")
    client.get("/language/en")
    response = client.post(
        "/campaigns/CD92/targets/units/P1",
        data={
            f"target-{world.units['P1']}-{hs}": "70",
            f"original-{world.units['P1']}-{hs}": "0.5",
        },
    )
    assert response.status_code == 422
    assert "Someone else has changed this target" in text_of(response)
    with english(app):
        assert own_value("P1", "HS") == 0.6


def test_a_closed_campaign_grid_is_read_only(app, world, login):
    build(app, targets={("P1", "HS"): 0.5}, status=CampaignStatus.CLOSED)
    client = login("admin")
    client.get("/language/en")
    response = client.get("/campaigns/CD92/targets/units/P1")
    assert "This campaign is closed" in text_of(response)
    assert "Save targets" not in text_of(response)


def test_the_apply_to_all_children_page(app, world, login):
    build(app, targets={("P1", "HS"): 0.5})
    client = login("manager")
    client.get("/language/en")
    page = client.get("/campaigns/CD92/targets/units/D1/apply/HS")
    assert page.status_code == 200
    assert "Xã Đức Trung" in text_of(page) and "Xã Đức Quang" in text_of(page)
    refused = client.post("/campaigns/CD92/targets/units/D1/apply/HS", data={"value": "101"})
    assert refused.status_code == 422
    assert "between 0% and 100%" in text_of(refused)
    done = client.post("/campaigns/CD92/targets/units/D1/apply/HS", data={"value": "65,5"})
    assert done.status_code == 302
    with english(app):
        assert own_value("C11", "HS") == 0.655 and own_value("C12", "HS") == 0.655
    assert login("reporter").get("/campaigns/CD92/targets/units/C11/apply/HS").status_code == 403
    assert client.get("/campaigns/CD92/targets/units/D1/apply/NOPE").status_code == 404


def test_the_baselines_page_shows_and_saves_numerator_and_denominator(app, world, login):
    build(app, baselines={("D1", "HS"): (216, 1000)})
    client = login("admin")
    page = client.get("/campaigns/CD92/targets/units/P1/baselines?indicator=HS")
    assert page.status_code == 200
    assert "21,6%" in text_of(page)
    refused = client.post(
        "/campaigns/CD92/targets/units/P1/baselines?indicator=HS",
        data={f"numerator-{world.units['D2']}": "50", f"denominator-{world.units['D2']}": "40"},
    )
    assert refused.status_code == 422
    saved = client.post(
        "/campaigns/CD92/targets/units/P1/baselines?indicator=HS",
        data={
            f"numerator-{world.units['D2']}": "1.080",
            f"denominator-{world.units['D2']}": "2.450",
        },
    )
    assert saved.status_code == 302
    with english(app):
        row = db.session.scalar(select(Baseline).where(Baseline.unit_id == world.units["D2"]))
        assert (row.numerator, row.denominator) == (1080, 2450)


def test_the_milestones_page(app, world, login):
    build(app, targets={("D1", "HS"): 0.5})
    client = login("admin")
    client.get("/language/en")
    assert "No milestones yet" in text_of(
        client.get("/campaigns/CD92/targets/units/D1/milestones/HS")
    )
    outside = client.post(
        "/campaigns/CD92/targets/units/D1/milestones/HS",
        data={"new-date-0": "2022-09-15", "new-value-0": "40"},
    )
    assert outside.status_code == 422
    assert "01/06/2022 to 31/08/2022" in text_of(outside)
    saved = client.post(
        "/campaigns/CD92/targets/units/D1/milestones/HS",
        data={"new-date-0": "2022-07-15", "new-value-0": "30,5"},
    )
    assert saved.status_code == 302
    with english(app):
        assert [(m.milestone_date, m.value) for m in db.session.scalars(select(Milestone))] == [
            (date(2022, 7, 15), 0.305)
        ]
    assert "15/07/2022" in text_of(client.get("/campaigns/CD92/targets/units/D1/milestones/HS"))
    removed = client.post(
        "/campaigns/CD92/targets/units/D1/milestones/HS", data={"value-2022-07-15": ""}
    )
    assert removed.status_code == 302
    with english(app):
        assert count_rows(Milestone) == 0
    # A manager may not change its own unit's milestones.
    assert (
        login("manager")
        .post(
            "/campaigns/CD92/targets/units/D1/milestones/HS",
            data={"new-date-0": "2022-07-15", "new-value-0": "30"},
        )
        .status_code
        == 403
    )


def test_the_history_is_paginated_newest_first(app, world, login):
    build(app)
    with english(app):
        campaign = campaign_by_code("CD92")
        for percent in range(1, 6):
            set_targets(
                campaign,
                [TargetInput("D1", "HS", target=percent / 100)],
                user=user("admin"),
                source=Source.WEB,
            )
        db.session.commit()
    app.config["PER_PAGE"] = 2
    client = login("admin")
    client.get("/language/en")
    first = text_of(client.get("/campaigns/CD92/targets/units/P1/history"))
    assert "4% → 5%" in first and "3% → 4%" in first and "2% → 3%" not in first
    third = text_of(client.get("/campaigns/CD92/targets/units/P1/history?page=3"))
    assert "none → 1%" in third and "admin" in third and "web page" in third
    empty = text_of(client.get("/campaigns/CD92/targets/units/C11/history"))
    assert "has been changed yet" in empty


def test_the_template_page_creates_the_indicators_after_confirmation(app, world, login):
    with english(app):
        make_campaign("CD92", "P1")
        db.session.commit()
    client = login("admin")
    client.get("/language/en")
    show = text_of(client.get("/campaigns/CD92"))
    assert "Use the 92-day template" in show and "Targets" in show
    confirm = client.get("/campaigns/CD92/targets/template")
    assert confirm.status_code == 200
    assert "Tỷ lệ hồ sơ TTHC xử lý trực tuyến" in text_of(confirm)
    with english(app):
        assert count_rows(Indicator) == 0  # the GET changed nothing
    done = client.post("/campaigns/CD92/targets/template")
    assert done.status_code == 302
    with english(app):
        assert count_rows(Indicator) == 5 and count_rows(Target) == 5
    assert "Use the 92-day template" not in text_of(client.get("/campaigns/CD92"))
    again = client.post("/campaigns/CD92/targets/template")
    assert again.status_code == 422
    assert "no indicators yet" in text_of(again)
    with english(app):
        assert count_rows(Indicator) == 5
    manager = login("manager")
    manager.get("/language/en")
    assert "Use the 92-day template" not in text_of(manager.get("/campaigns/CD92"))
    assert manager.post("/campaigns/CD92/targets/template").status_code == 403


def test_setting_up_the_92_day_campaign_from_the_template_by_hand(app, world, login):
    """Create the campaign, use the template, hand the districts their own targets, set a
    baseline: every step of the demo set-up in the browser."""
    with english(app):
        make_campaign("CD92", "P1")
        db.session.commit()
    client = login("admin")
    assert client.post("/campaigns/CD92/targets/template").status_code == 302
    with english(app):
        hs = indicator_id("HS_TRUC_TUYEN")
    grid = client.get("/campaigns/CD92/targets/units/P1").get_data(as_text=True)
    assert f'name="target-{world.units["D1"]}-{hs}"' in grid
    response = client.post(
        "/campaigns/CD92/targets/units/P1",
        data={f"target-{world.units['D1']}-{hs}": "60", f"original-{world.units['D1']}-{hs}": ""},
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/campaigns/CD92/targets/units/D1/baselines?indicator=HS_TRUC_TUYEN",
            data={
                f"numerator-{world.units['D1']}": "216",
                f"denominator-{world.units['D1']}": "1000",
            },
        ).status_code
        == 302
    )
    with english(app):
        assert own_value("D1", "HS_TRUC_TUYEN") == 0.6
        found = queries.effective_ratio_targets([hs], [world.units["C11"]])
        assert found[(world.units["C11"], hs)] == Effective(0.6, INHERITED, world.units["D1"])


def test_unknown_campaign_unit_and_out_of_scope_pages(app, world, login):
    build(app)
    client = login("manager")
    assert client.get("/campaigns/NOPE/targets").status_code == 404
    assert client.get("/campaigns/CD92/targets/units/NOPE").status_code == 404
    assert client.get("/campaigns/CD92/targets/units/D2").status_code == 403
    assert login("admin").get("/campaigns/CD92/targets/units/D3").status_code == 403
    assert login("admin2").get("/campaigns/CD92/targets").status_code == 403
