from app.users.models.api_token import ApiToken
from app.users.models.user import Role, User

__all__ = ["ApiToken", "Role", "User"]
