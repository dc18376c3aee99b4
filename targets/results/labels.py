"""Words and colours of results, shared by the pages, the charts and the Excel exports, so a
band reads and looks the same everywhere."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.units.kinds import kind_label
from campaigns.forms import WINDOW_LABELS, label_of
from targets.results.engine import Group
from targets.results.rules import Band

BAND_LABELS = {
    Band.EXCELLENT: _l("Excellent"),
    Band.GOOD: _l("Good"),
    Band.FAIR: _l("Fair"),
    Band.AVERAGE: _l("Average"),
    Band.WEAK: _l("Weak"),
}


@dataclass(frozen=True)
class BandColour:
    strong: str  # bars and lines
    light: str  # cell backgrounds
    text: str  # text on the light background


BAND_COLOURS = {
    Band.EXCELLENT: BandColour("#198754", "#c6efce", "#0a3622"),
    Band.GOOD: BandColour("#7cb342", "#e2f0d9", "#2b4a12"),
    Band.FAIR: BandColour("#f2b705", "#fff2cc", "#5c4400"),
    Band.AVERAGE: BandColour("#fd7e14", "#fce4d6", "#6a2f00"),
    Band.WEAK: BandColour("#dc3545", "#ffc7ce", "#58151c"),
}
NO_BAND_COLOUR = BandColour("#adb5bd", "#f1f3f5", "#495057")


def band_label(band: Band | None) -> str:
    return "" if band is None else str(BAND_LABELS[band])


def band_colour(band: Band | None) -> BandColour:
    return NO_BAND_COLOUR if band is None else BAND_COLOURS[band]


def window_label(window: str) -> str:
    return label_of(WINDOW_LABELS, window)


def group_title(group: Group) -> str:
    """The campaign's name of its own group; a default group named by its kind and parent."""
    if group.peer_group is not None:
        return group.peer_group.name
    return _("%(kind)s units of %(unit)s", kind=kind_label(group.kind), unit=group.parent.name)
