"""Results, scores, rankings and dashboards (issue 5). Builds on `app/`, `campaigns/` and the
rest of `targets/`; nothing below imports it.

- rules.py: the scoring and ranking rules of DESIGN §4–§5, pure functions.
- queries.py: figures added up in SQL; engine.py: queries and rules put together.
- pages (blueprint, controllers, templates/results/), charts, Excel exports, and the
  /api/v1 results and ranking endpoints.

`targets.init_app` calls `init_app`, which registers the pages, the API and the campaign
page's "Results" link (campaigns.hooks).
"""

from flask import Flask

from app.api import api as api_registry
from campaigns.hooks import register_campaign_links
from targets.results.api import blp as results_api
from targets.results.blueprint import bp
from targets.results.controllers import campaign_links


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    api_registry.register_blueprint(results_api)
    register_campaign_links(campaign_links)
