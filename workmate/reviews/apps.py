from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "workmate.reviews"
    verbose_name = _("Reviews and pay")
