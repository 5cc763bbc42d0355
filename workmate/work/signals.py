"""What work tells higher apps (e.g. the levels ledger), sent inside the transaction of the
change: a receiver's rows commit or roll back with it. Keyword arguments: `instance`,
`actor` (a user or None) and those named below."""

from __future__ import annotations

from django.dispatch import Signal

# A task moved to done: sender=Task; on_time True/False against its due date, None without one.
task_completed = Signal()
# A request answered (in writing, or by completing its task): sender=WorkRequest; in_time
# says whether the answer came by its reply-by.
request_answered = Signal()
# A project made from a template: sender=ProjectTemplate, instance=template; project, the new
# project; version, the template version used.
project_template_used = Signal()
