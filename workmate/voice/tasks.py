"""Background work for the proposal board; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from workmate.voice.models import Answer
from workmate.voice.services import followers_of


@task()
def send_answer_mail(answer_id: int) -> int:
    """Mail a lead's answer to the proposal's subscribers, each in their own language.

    The mail names the proposal, the answer and the lead who gave it; never the proposal's
    author, who may be anonymous. Returns how many people were mailed.
    """
    answer = Answer.objects.select_related("proposal", "lead").filter(pk=answer_id).first()
    if answer is None:
        return 0
    from workmate.voice.leads import proposal_url

    proposal = answer.proposal
    context = {"answer": answer, "proposal": proposal, "url": proposal_url(proposal)}
    sent = 0
    for person in followers_of(proposal):
        if person.pk == answer.lead_id:
            continue  # The lead knows what they wrote.
        with translation.override(person.language or None):
            subject = render_to_string("voice/leads/answer_subject.txt", context)
            body = render_to_string("voice/leads/answer_email.txt", context)
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [person.email])
        sent += 1
    return sent
