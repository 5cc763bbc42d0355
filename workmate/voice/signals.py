"""What Voice tells higher apps (e.g. the levels ledger), sent inside the transaction of the
change. Keyword arguments: `instance` (the proposal), `actor` and those named below;
sender=Proposal."""

from __future__ import annotations

from django.dispatch import Signal

# A proposal was posted; actor is the poster even when anonymous: receivers must not
# record who posted an anonymous one (`instance.is_anonymous`).
proposal_posted = Signal()
# A proposal moved from new/under review to planned, in progress or done; actor is the lead
# (or whoever completed its task). Anonymous proposals send it too: receivers must not
# learn their author (`instance.author` is None).
proposal_adopted = Signal()
# A lead answered a proposal (a status change or a written answer, or a merge); answer.
proposal_answered = Signal()
