"""The unit browser: a unit, the way up to it and the units below it, in the reader's scope."""

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.db import db
from app.scope import Access, may, reachable_unit_ids
from app.units import queries


@login_required
def index():
    return redirect(url_for("units.show", code=current_user.unit.code))


@login_required
def show(code: str):
    unit = queries.unit_by_code(code)
    if unit is None:
        abort(404)
    if not may(current_user, Access.READ, unit):
        abort(403)
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind", "").strip()
    listing = (
        queries.search_subtree(unit.id, text) if text else queries.children(unit.id, kind or None)
    )
    page = db.paginate(listing, per_page=current_app.config["PER_PAGE"])
    # The way up stops at the reader's own unit: what lies above it is outside their scope.
    lineage = queries.lineage(unit.id, within=reachable_unit_ids(current_user, Access.READ))
    return render_template(
        "units/show.html",
        unit=unit,
        lineage=lineage,
        page=page,
        text=text,
        kind=kind,
        child_kinds=queries.child_kinds(unit.id),
        descendant_counts=queries.descendant_counts_by_kind(unit.id),
        grandchild_counts=queries.child_counts([child.id for child in page.items]),
    )
