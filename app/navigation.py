"""Where to send a user next."""


def same_site_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: a `next=` parameter must never send a
    user to another host (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
