"""/api/v1/campaigns/{code}/results and /ranking."""

from app.api import ApiBlueprint

blp = ApiBlueprint(
    "results_api",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Results, scores and rankings of the units of a campaign.",
)
