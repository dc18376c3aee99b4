from app.users.models.api_token import ApiToken, TokenScope
from app.users.models.failed_sign_in import FailedSignIn
from app.users.models.user import Role, User

__all__ = ["ApiToken", "FailedSignIn", "Role", "TokenScope", "User"]
