"""What the advisor tells higher apps (sent inside the transaction of the change).

- assessment_published: an assessment's report was published as its next version;
  sender=Assessment, instance=the assessment, actor=user, report=the PublishedReport.
"""

from __future__ import annotations

import django.dispatch

assessment_published = django.dispatch.Signal()
