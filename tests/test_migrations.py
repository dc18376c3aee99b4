"""The schema comes from Alembic migrations: they build it from nothing, take it back down to
nothing, and match the models exactly."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
