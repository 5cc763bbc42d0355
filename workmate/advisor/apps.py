from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisorConfig(AppConfig):
    name = "workmate.advisor"
    verbose_name = _("Cloud-fit advisor")
