"""Route access of the targets pages and API (see tests/access.py for the vocabulary)."""

from tests.factories import World


def build(world: World) -> dict:
    return {}


ROUTES: dict = {}
