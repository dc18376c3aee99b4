"""Display names of the unit kinds the shipped lists use. Kinds are data: an imported kind
without a label here is shown as written."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "province": _l("Province"),
    "agency": _l("Provincial agency"),
    "district": _l("District"),
    "commune": _l("Commune"),
    "village": _l("Village"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
