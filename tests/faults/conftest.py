"""The fault tests run real processes (docs/faults.md). Those marked `slow` are skipped by
`make test` and run by `make faults` (FAULTS=all)."""

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a fault test that `make faults` runs, not make test")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("FAULTS") == "all":
        return
    skip = pytest.mark.skip(reason="slow fault test: `make faults` runs it (FAULTS=all)")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
