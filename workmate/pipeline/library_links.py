"""The PoC's links into the library: its runbook page and its page template.

Kept in one module so the pages and the API read them the same way.
"""

from __future__ import annotations

from workmate.accounts.models import User
from workmate.pipeline.forms import AdvanceForm
from workmate.pipeline.models import PoC


def context_for(poc: PoC, user: User) -> dict:
    return {"runbook": None, "page_template": None}


def advance_form(data, *, user: User) -> AdvanceForm:
    return AdvanceForm(data, user=user)


def recent_runbooks_by_team(user: User, since) -> dict[int, list]:
    return {}
