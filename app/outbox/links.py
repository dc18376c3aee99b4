"""Links to the application's pages inside e-mails and webhooks, which are written by the
scheduler, outside any request: they start from the BASE_URL setting."""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: object) -> str:
    """The full address of a page, e.g. external_url("progress.entry", code="CD92",
    unit_code="25308") → "https://tiendo.example.vn/campaigns/CD92/progress/units/25308"."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
