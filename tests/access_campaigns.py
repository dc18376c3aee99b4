"""Route access of the campaigns pages and API (see tests/access.py for the vocabulary)."""

from tests.factories import World


def build(world: World) -> dict:
    return {}


ROUTES: dict = {}
