"""What `work` tells the apps above it (sent inside the transaction of the change).

- project_template_used: a project was made from a template; sender=ProjectTemplate,
  instance=template, actor=user, project=the new project, version=the template version used.
"""

from __future__ import annotations

import django.dispatch

project_template_used = django.dispatch.Signal()
