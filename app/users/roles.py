"""Display names of the roles."""

from flask_babel import lazy_gettext as _l

from app.users.models import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MANAGER: _l("Manager"),
    Role.REPORTER: _l("Reporter"),
    Role.VIEWER: _l("Viewer (leader)"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
