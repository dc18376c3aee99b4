"""Benchmark: subtree and ancestor queries on a national-size unit tree.

Builds 63 provinces × 11 districts × 15 communes (10,395 communes, 11,151 units: the size of
Vietnam's 2022 three-tier list) and times, against a one-row primary-key lookup measured in the
same run:
- the subtree of one province through the closure table (what the app does),
- the same subtree through a recursive CTE (the design the closure table replaced),
- the lineage of one commune, and a scope check (is this commune inside that province?),
- rebuilding the whole closure table, as an import that moves units does.

Ratios, not absolute times, are the result: this machine is shared and noisy.
Run with `make bench` (python -m bench.unit_tree); set BENCH_DATABASE_URL to run it on
PostgreSQL, in a throw-away schema.
"""

import os
import statistics
import time
import uuid
from tempfile import TemporaryDirectory

import flask_migrate
from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from app import create_app
from app.config import TestConfig, normalise_database_url
from app.db import db
from app.units import queries
from app.units.importing import UnitList, UnitRow
from app.units.models import Unit
from app.units.operations import import_units, rebuild_unit_closure

PROVINCES, DISTRICTS, COMMUNES = 63, 11, 15


def national_rows() -> list[UnitRow]:
    rows = []
    for p in range(PROVINCES):
        province = f"{p:02d}"
        rows.append(UnitRow(len(rows) + 2, province, f"Tỉnh {p}", "province", None))
        for d in range(DISTRICTS):
            district = f"{p:02d}{d:02d}"
            rows.append(UnitRow(len(rows) + 2, district, f"Huyện {p}-{d}", "district", province))
            for c in range(COMMUNES):
                code = f"{p:02d}{d:02d}{c:02d}"
                rows.append(UnitRow(len(rows) + 2, code, f"Xã {p}-{d}-{c}", "commune", district))
    return rows


def recursive_subtree_ids(root_id: int):
    tree = select(Unit.id.label("id")).where(Unit.id == root_id).cte("tree", recursive=True)
    child = aliased(Unit)
    tree = tree.union_all(select(child.id).join(tree, child.parent_id == tree.c.id))
    return select(tree.c.id)


def median_seconds(action, repeat: int) -> float:
    action()  # warm caches and statement compilation
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(settings: dict) -> None:
    app = create_app(TestConfig, settings)
    with app.app_context():
        flask_migrate.upgrade()
        start = time.perf_counter()
        import_units(UnitList(national_rows()))
        db.session.commit()
        print(
            f"built {db.session.scalar(select(func.count()).select_from(Unit)):,} units "
            f"in {time.perf_counter() - start:.1f} s ({db.engine.dialect.name})"
        )

        province = queries.unit_by_code("31")
        commune = queries.unit_by_code("310714")
        session = db.session

        def pk_lookup():
            session.execute(select(Unit.id, Unit.name).where(Unit.id == commune.id)).all()

        def closure_subtree():
            assert len(session.execute(queries.subtree_ids(province.id)).all()) == 1 + 11 + 165

        def recursive_subtree():
            assert len(session.execute(recursive_subtree_ids(province.id)).all()) == 1 + 11 + 165

        def lineage():
            assert len(queries.lineage(commune.id)) == 3

        def scope_check():
            assert queries.is_in_subtree(commune.id, province.id)

        def rebuild():
            rebuild_unit_closure()

        reference = median_seconds(pk_lookup, 300)
        print(f"\nreference: primary-key lookup of one unit, median {reference * 1e6:.0f} µs\n")
        print(f"{'operation':<48} {'× reference':>12}")
        for label, action, repeat in [
            ("subtree of a province (closure table)", closure_subtree, 300),
            ("subtree of a province (recursive CTE)", recursive_subtree, 100),
            ("lineage of a commune (closure table)", lineage, 300),
            ("scope check: commune inside province?", scope_check, 300),
            ("rebuild the whole closure table (11,151 units)", rebuild, 5),
        ]:
            print(f"{label:<48} {median_seconds(action, repeat) / reference:>12.1f}")
        db.session.rollback()
        db.engine.dispose()


def main() -> None:
    server_url = os.environ.get("BENCH_DATABASE_URL")
    if not server_url:
        with TemporaryDirectory() as folder:
            run({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": server_url})
    with admin.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            run(
                {
                    "SQLALCHEMY_DATABASE_URI": normalise_database_url(server_url),
                    "SQLALCHEMY_ENGINE_OPTIONS": {
                        "connect_args": {"options": f"-csearch_path={schema}"}
                    },
                }
            )
        finally:
            with db.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
