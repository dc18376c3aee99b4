from campaigns.tasks.models.evidence_file import EvidenceFile
from campaigns.tasks.models.task import Task
from campaigns.tasks.models.task_assignment import TaskAssignment, TaskStatus
from campaigns.tasks.models.task_update import TaskUpdate

__all__ = ["EvidenceFile", "Task", "TaskAssignment", "TaskStatus", "TaskUpdate"]
