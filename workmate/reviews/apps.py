from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "workmate.reviews"
    verbose_name = _("Reviews and pay")

    def ready(self) -> None:
        # Who may still read a review's notifications (workmate/inbox/visibility.py).
        from workmate.inbox import visibility
        from workmate.reviews.visibility import visible_feedback, visible_reviews

        visibility.register("review", visible_reviews)
        visibility.register("feedback", visible_feedback)
