"""The one access rule, checked unit by unit against a table written by hand."""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.db import db
from app.scope import Access, may, reachable_unit_ids
from app.units.models import Unit
from app.users.models import User

P1_TREE = {"P1", "A1", "D1", "C11", "C12", "D2", "C21"}
D1_TREE = {"D1", "C11", "C12"}
P2_TREE = {"P2", "D3"}
NOTHING: set[str] = set()

EXPECTED = {
    # user:      (read,     write,    assign,          configure, administer)
    "admin": (P1_TREE, P1_TREE, P1_TREE, P1_TREE, P1_TREE),
    "manager": (D1_TREE, D1_TREE, {"C11", "C12"}, NOTHING, NOTHING),  # not its own D1
    "reporter": ({"C11"}, {"C11"}, NOTHING, NOTHING, NOTHING),
    "viewer": (P1_TREE, NOTHING, NOTHING, NOTHING, NOTHING),
    "reporter2": ({"C12"}, {"C12"}, NOTHING, NOTHING, NOTHING),
    "admin2": (P2_TREE, P2_TREE, P2_TREE, P2_TREE, P2_TREE),
    "retired": (NOTHING, NOTHING, NOTHING, NOTHING, NOTHING),  # deactivated
}


@pytest.mark.parametrize("username", EXPECTED)
@pytest.mark.parametrize(
    ("access", "column"),
    [
        (Access.READ, 0),
        (Access.WRITE, 1),
        (Access.ASSIGN, 2),
        (Access.CONFIGURE, 3),
        (Access.ADMINISTER, 4),
    ],
)
def test_may_allows_exactly_the_expected_units(world, app_context, username, access, column):
    user = db.session.get(User, world.users[username])
    units = db.session.scalars(select(Unit)).all()

    allowed = {unit.code for unit in units if may(user, access, unit)}

    assert allowed == EXPECTED[username][column]


@pytest.mark.parametrize("username", EXPECTED)
@pytest.mark.parametrize("access", list(Access))
def test_list_filter_agrees_with_the_single_unit_rule(world, app_context, username, access):
    user = db.session.get(User, world.users[username])
    listed = set(
        db.session.scalars(select(Unit.code).where(Unit.id.in_(reachable_unit_ids(user, access))))
    )
    one_by_one = {unit.code for unit in db.session.scalars(select(Unit)) if may(user, access, unit)}
    assert listed == one_by_one


@pytest.mark.parametrize("access", list(Access))
def test_nobody_signed_in_may_do_nothing(world, app_context, access):
    anonymous = AnonymousUserMixin()
    assert not any(may(anonymous, access, unit) for unit in db.session.scalars(select(Unit)))
    assert (
        db.session.scalars(
            select(Unit.id).where(Unit.id.in_(reachable_unit_ids(None, access)))
        ).all()
        == []
    )
