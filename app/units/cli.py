"""`flask --app app units ...`: load unit lists."""

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.db import db
from app.units.importing import UnitFileError, UnitList, read_unit_file
from app.units.operations import ImportSummary, import_units
from app.units.vietnam import UnknownProvinceError, current_province_rows

units_cli = AppGroup("units", help="Import the unit tree.")


def import_or_report(read_units: Callable[[], UnitList]) -> ImportSummary:
    """Read rows and import them in one transaction; on any error print every problem and
    exit with status 1, leaving the database as it was."""
    try:
        summary = import_units(read_units())
    except UnitFileError as error:
        db.session.rollback()
        for problem in error.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            _("Nothing was imported: %(count)d problem(s) listed above.", count=len(error.errors))
        ) from None
    db.session.commit()
    click.echo(
        _(
            "%(total)d units: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
            total=summary.created + summary.updated + summary.unchanged,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
    )
    return summary


@units_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(path: Path) -> None:
    """Import units from a CSV or XLSX file (columns code,name,kind,parent_code)."""
    import_or_report(lambda: read_unit_file(path))


@units_cli.command("import-vn")
@click.argument("province_code")
def import_vietnam_province(province_code: str) -> None:
    """Import one province's current communes from the vietnam-provinces package."""
    try:
        rows = current_province_rows(province_code)
    except UnknownProvinceError as error:
        raise click.ClickException(str(error)) from None
    import_or_report(lambda: UnitList(rows))
