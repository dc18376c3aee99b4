from app.units.models.unit import Unit
from app.units.models.unit_closure import UnitClosure

__all__ = ["Unit", "UnitClosure"]
