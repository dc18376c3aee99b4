from targets.models.baseline import Baseline
from targets.models.milestone import Milestone
from targets.models.target import Target
from targets.models.target_revision import Source, Subject, TargetRevision

__all__ = ["Baseline", "Milestone", "Source", "Subject", "Target", "TargetRevision"]
