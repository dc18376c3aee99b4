"""Wiring of the Excel import pages and the progress API into the application.

`campaigns.init_app` calls `register(app)`: the import pages, the /api/v1 progress endpoints
and the campaign page's "Import figures from Excel" link (campaigns.hooks).
"""

from flask import Flask

from app.api import api as api_registry
from campaigns.hooks import register_campaign_links
from campaigns.progress.api import blp as progress_api
from campaigns.progress.excel_blueprint import bp as import_pages
from campaigns.progress.excel_controllers import campaign_links


def register(app: Flask) -> None:
    app.register_blueprint(import_pages)
    api_registry.register_blueprint(progress_api)
    register_campaign_links(campaign_links)
