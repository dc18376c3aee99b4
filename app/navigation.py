"""Where to send a user next."""

from urllib.parse import urlsplit


def same_site_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: a `next=` parameter must never send a
    user to another host (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    # Browsers and Werkzeug drop tabs and line breaks, so "/\t/evil.example" would become
    # "//evil.example": refuse every control character and space.
    if any(character <= " " or character == "\x7f" for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
