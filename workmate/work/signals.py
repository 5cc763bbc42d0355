"""What `work` tells the apps above it (e.g. the levels ledger), sent inside the transaction
of the change: a receiver's rows commit or roll back with it. Keyword arguments:
`instance`, `actor` (a user or None) and those named below.

- task_completed: a task moved to done; sender=Task; on_time True/False against its due
  date, None without one.
- request_answered: a request answered (in writing, or by completing its task);
  sender=WorkRequest; in_time says whether the answer came by its reply-by.
- task_created: a task was added; sender=Task.
- task_updated: fields of a task changed; sender=Task; changes=[(field, old, new)...],
  retagged=True when its tags changed.
- task_moved: a task went to another section; sender=Task; old_section=Section or None.
- comment_added: someone commented on a task; sender=Comment, instance=the comment.
- request_sent: someone was asked to do or answer a task; sender=WorkRequest.
- project_template_used: a project was made from a template; sender=ProjectTemplate,
  instance=template, actor=user, project=the new project, version=the template version used.
"""

from __future__ import annotations

import django.dispatch

task_completed = django.dispatch.Signal()
task_created = django.dispatch.Signal()
task_updated = django.dispatch.Signal()
task_moved = django.dispatch.Signal()
comment_added = django.dispatch.Signal()
request_sent = django.dispatch.Signal()
request_answered = django.dispatch.Signal()
project_template_used = django.dispatch.Signal()
