"""Briefings (issue 6): the morning điểm tin of a campaign with its praise and criticism,
reviews of a range of days, their outputs and their delivery. Builds on targets.results;
nothing below imports it.

`targets.init_app` calls `init_app`.
"""

from flask import Flask

from targets.briefings import models  # noqa: F401  (the tables must be known to SQLAlchemy)


def init_app(app: Flask) -> None:
    pass
