"""Background work for accounts; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from workmate.accounts.models import User
from workmate.lib.mail import render_plain, subject_line


@task()
def send_password_reset_email(user_id: int, domain: str, use_https: bool) -> bool:
    """Send the password-reset link, in the person's language, if they can still use it."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": "Workmate",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    with translation.override(user.language):
        subject = render_plain("registration/password_reset_subject.txt", context)
        body = render_plain("registration/password_reset_email.txt", context)
        html = render_to_string("registration/password_reset_email.html", context)
    message = EmailMultiAlternatives(
        subject_line(subject), body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True
