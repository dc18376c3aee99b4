"""The schema comes from Alembic migrations: they build it from nothing, take it back down to
nothing, and match the models exactly."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from app import create_app
from app.config import TestConfig
from app.db import db


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_from_empty_then_downgrade_to_base_and_up_again(empty_database):
    app = create_app(TestConfig, empty_database.settings())
    with app.app_context():
        model_tables = set(db.metadata.tables)
        assert {"units", "users", "campaigns", "targets"} <= model_tables
        assert table_names() == set()

        flask_migrate.upgrade()
        assert table_names() == model_tables | {"alembic_version"}

        flask_migrate.downgrade(revision="base")
        assert table_names() - {"alembic_version"} == set()

        flask_migrate.upgrade()
        assert table_names() >= model_tables
        db.engine.dispose()


def test_models_and_migrations_describe_the_same_schema(app_context):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_altering_tables_keeps_the_rows_that_refer_to_them(empty_database):
    """SQLite alters a table by copying it: with foreign keys on, dropping the old copy would
    cascade to every row that refers to it (a campaign's indicators, their entries...). Going
    down to 0005 and up again rebuilds `campaigns` and `users` both ways."""
    from datetime import date

    from campaigns.models import Campaign, Indicator
    from tests.factories import make_campaign, make_indicator, make_units, make_user

    app = create_app(TestConfig, empty_database.settings())
    with app.app_context():
        flask_migrate.upgrade()
        make_units(("P", "Tỉnh", "province", None))
        make_user("someone", "admin", "P")
        campaign = make_campaign("KEEP", "P", start=date(2022, 6, 1), end=date(2022, 6, 30))
        make_indicator(campaign, "HS")
        db.session.commit()
        db.session.remove()

        flask_migrate.downgrade(revision="0005")
        flask_migrate.upgrade()

        assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
        assert db.session.scalar(select(func.count()).select_from(Indicator)) == 1
        db.session.remove()
        db.engine.dispose()
