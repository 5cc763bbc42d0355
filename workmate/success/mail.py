"""Mail to a customer's contact about their feedback: the answer, never the internal note."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from workmate.lib.mail import render_plain, subject_line
from workmate.lib.urls import absolute_url
from workmate.success.models import FeedbackItem


def mail_answer(item: FeedbackItem) -> None:
    """In the active language (the caller sets the contact's)."""
    context = {
        "contact": item.contact,
        "customer": item.customer,
        "words": item.words,
        "answer": item.answer,
        "portal_url": absolute_url(reverse("portal_feedback:item", args=[item.pk])),
    }
    subject = render_plain("success/email/answer_subject.txt", context)
    body = render_plain("success/email/answer_body.txt", context)
    html = render_to_string("success/email/answer_body.html", context)
    message = EmailMultiAlternatives(
        subject_line(subject), body, settings.DESK_SUPPORT_EMAIL, [item.contact.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
