"""Signing contacts in to the customer portal, apart from Workmate's own log-in.

Contacts are not Workmate users: the portal keeps the contact's id in the session under
its own key and never sets `request.user`, so no internal page, API route or role check
can take a contact for a colleague. A hash of the contact's password hash sits beside the
id, so setting a new password signs every other session out (as Django does for users).

Failed sign-ins are counted by django-axes, the same store that guards the staff log-in,
under a "portal:" name so a contact's typos never lock out a colleague with that address.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_htmx.http import HttpResponseClientRedirect

from workmate.desk.models import Contact
from workmate.lib.mail import render_plain, subject_line
from workmate.lib.urls import absolute_url

SESSION_CONTACT = "portal_contact_id"
SESSION_HASH = "portal_contact_hash"


class ContactTokenGenerator(PasswordResetTokenGenerator):
    """Links to set a password: valid for PASSWORD_RESET_TIMEOUT (3 days), and only once.

    The hash covers the password hash and the last sign-in, so setting the password (or
    signing in) spends every link sent before.
    """

    key_salt = "workmate.desk.portal_auth.ContactTokenGenerator"

    def _make_hash_value(self, contact: Contact, timestamp: int) -> str:  # type: ignore[override]
        last_login = (
            ""
            if contact.last_login is None
            else contact.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{contact.pk}{contact.password}{last_login}{timestamp}{contact.email}"


token_generator = ContactTokenGenerator()


def _password_hash(contact: Contact) -> str:
    return salted_hmac(
        "workmate.desk.portal_auth.session", contact.password, algorithm="sha256"
    ).hexdigest()


# --- Session ---------------------------------------------------------------------------


def get_contact(request: HttpRequest) -> Contact | None:
    """The contact signed in to the portal in this session, or None."""
    if hasattr(request, "_portal_contact"):
        return request._portal_contact  # type: ignore[attr-defined]
    contact = None
    contact_id = request.session.get(SESSION_CONTACT)
    if contact_id is not None:
        contact = Contact.objects.active().filter(pk=contact_id).first()
        stored = request.session.get(SESSION_HASH, "")
        if contact is None or not constant_time_compare(stored, _password_hash(contact)):
            # Deactivated, or the password changed elsewhere: this session is over.
            sign_out(request)
            contact = None
    request._portal_contact = contact  # type: ignore[attr-defined]
    return contact


def sign_in(request: HttpRequest, contact: Contact) -> None:
    """Start a portal session for `contact` under a fresh session key (no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_CONTACT] = contact.pk
    request.session[SESSION_HASH] = _password_hash(contact)
    contact.last_login = timezone.now()
    contact.save(update_fields=["last_login"])
    request._portal_contact = contact  # type: ignore[attr-defined]


def sign_out(request: HttpRequest) -> None:
    """End the portal session; a Workmate log-in in the same browser is left alone."""
    request.session.pop(SESSION_CONTACT, None)
    request.session.pop(SESSION_HASH, None)
    request.session.cycle_key()
    request._portal_contact = None  # type: ignore[attr-defined]


def activate_language(request: HttpRequest, contact: Contact) -> None:
    translation.activate(contact.language)
    request.LANGUAGE_CODE = contact.language  # type: ignore[attr-defined]


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Portal views: a signed-in contact (as `request.contact`, in their language) or the
    portal's sign-in page. A Workmate log-in does not count."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        contact = get_contact(request)
        if contact is None:
            url = f"{reverse('portal:login')}?{urlencode({'next': request.get_full_path()})}"
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(url)
            return redirect(url)
        request.contact = contact  # type: ignore[attr-defined]
        activate_language(request, contact)
        return view(request, *args, **kwargs)

    return wrapper


# --- Signing in ------------------------------------------------------------------------


def _axes_credentials(email: str) -> dict[str, str]:
    return {settings.AXES_USERNAME_FORM_FIELD: f"portal:{email}"}


def is_locked_out(request: HttpRequest, email: str) -> bool:
    """Too many failures for this address from this IP address (AXES_FAILURE_LIMIT)."""
    if not settings.AXES_ENABLED:
        return False
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, _axes_credentials(email))


def _record_failure(request: HttpRequest, email: str) -> None:
    if not settings.AXES_ENABLED:
        return
    from axes.handlers.proxy import AxesProxyHandler

    # Called directly rather than through the user_login_failed signal: this is not a
    # Workmate log-in, and axes' middleware must not swap our page for the staff one.
    AxesProxyHandler.user_login_failed(
        sender=__name__, credentials=_axes_credentials(email), request=request
    )
    request.axes_locked_out = False  # type: ignore[attr-defined]


def _reset_failures(request: HttpRequest, email: str) -> None:
    if not settings.AXES_ENABLED:
        return
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(
        username=_axes_credentials(email)[settings.AXES_USERNAME_FORM_FIELD],
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
    )


def authenticate(request: HttpRequest, email: str, password: str) -> Contact | None:
    """The active contact with this address (any case) and password, else None.

    An unknown address costs the same hashing work as a wrong password, so neither the
    answer nor its timing tells which addresses have accounts.
    """
    email = email.strip().lower()
    contact = Contact.objects.active().filter(email__iexact=email).first()
    if contact is None:
        make_password(password)
        ok = False
    else:
        ok = contact.check_password(password)
    if not ok:
        _record_failure(request, email)
        return None
    _reset_failures(request, email)
    return contact


# --- Password links --------------------------------------------------------------------


def password_link(contact: Contact) -> str:
    uid = urlsafe_base64_encode(force_bytes(contact.pk))
    token = token_generator.make_token(contact)
    return absolute_url(reverse("portal:password_confirm", args=[uid, token]))


def contact_from_uid(uidb64: str) -> Contact | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    return Contact.objects.active().filter(pk=pk).first()


def mail_contact(contact: Contact, template: str, context: dict) -> None:
    """Send templates/desk/email/<template>_{subject.txt,body.txt,body.html} to a contact,
    in the contact's language, from the support address."""
    context = {"contact": contact, "site_url": settings.SITE_URL, **context}
    with translation.override(contact.language):
        subject = render_plain(f"desk/email/{template}_subject.txt", context)
        body = render_plain(f"desk/email/{template}_body.txt", context)
        html = render_to_string(f"desk/email/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject_line(subject), body, settings.DESK_SUPPORT_EMAIL, [contact.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_password_email(contact_id: int, *, invite: bool = False) -> bool:
    """The worker's half of `send_password_link`: build the link now, so it is fresh."""
    contact = Contact.objects.active().filter(pk=contact_id).first()
    if contact is None:
        return False
    mail_contact(contact, "portal_password", {"link": password_link(contact), "invite": invite})
    return True


def send_password_link(contact: Contact, *, invite: bool = False) -> None:
    """Have the worker mail `contact` a set-password link once this transaction commits."""
    from workmate.desk.tasks import send_portal_password_email

    contact_id = contact.pk
    transaction.on_commit(
        lambda: send_portal_password_email.enqueue(contact_id=contact_id, invite=invite)
    )


def request_password_link(email: str) -> None:
    """Someone asked for a link for `email`: mail it if an active contact has that address.

    The caller says the same thing either way, so the form tells nobody who has an account.
    """
    contact = Contact.objects.active().filter(email__iexact=email.strip()).first()
    if contact is not None:
        send_password_link(contact)


@transaction.atomic
def do_set_password(request: HttpRequest, contact: Contact, password: str) -> None:
    """Save the new password (spending the link) and sign the contact in here."""
    contact.set_password(password)
    contact.save(update_fields=["password"])
    sign_in(request, contact)
