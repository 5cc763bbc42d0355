"""Forms of the customer portal (contacts, not Workmate users)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from workmate.desk import services
from workmate.desk.models import (
    Category,
    Contact,
    Customer,
    Priority,
    Rating,
    Status,
    Ticket,
    TicketAttachment,
    TicketEntry,
)

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class PasswordLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, contact: Contact, **kwargs: object) -> None:
        self.contact = contact
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.contact)  # type: ignore[arg-type]
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several optional files in one input (Django's documented recipe)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list:
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [single(item, initial) for item in files]
        if len(cleaned) > MAX_FILES:
            raise ValidationError(_("Attach at most %(count)d files."), params={"count": MAX_FILES})
        for item in cleaned:
            if item.size > MAX_FILE_BYTES:
                raise ValidationError(
                    _("“%(name)s” is larger than 10 MB."), params={"name": item.name}
                )
        # A limit per message too: five files of 10 MB each are more than a message needs.
        total = sum(item.size for item in cleaned)
        limit = settings.DESK_PORTAL_MAX_TOTAL_BYTES
        if total > limit:
            raise ValidationError(
                _(
                    "The files come to %(total)s MB together; one message takes at most "
                    "%(limit)s MB. Send the rest in another message."
                ),
                params={"total": _megabytes(total), "limit": _megabytes(limit)},
            )
        return cleaned


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


class AttachmentsMixin:
    cleaned_data: dict

    def save_attachments(self, entry: TicketEntry) -> list[TicketAttachment]:
        """Store the uploaded files on the customer's message (inside its transaction)."""
        saved = []
        for upload in self.cleaned_data.get("attachments") or []:
            attachment = TicketAttachment(
                entry=entry,
                name=upload.name[:255],
                size=upload.size,
                content_type=(upload.content_type or "application/octet-stream")[:120],
            )
            attachment.file.save(upload.name, upload, save=False)
            attachment.save()
            saved.append(attachment)
        return saved


class NewTicketForm(AttachmentsMixin, forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Customer.objects.none(), empty_label=None
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you see, since when, and what you already tried."),
    )
    category = forms.ChoiceField(label=_("Kind of request"), choices=Category.choices)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.P3,
        help_text=_("P1 only when a production service is down for you."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: object, contact: Contact, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        customers = Customer.objects.filter(memberships__contact=contact).order_by("name")
        self.fields["customer"].queryset = customers
        organisations = list(customers)
        self.single_customer = organisations[0] if len(organisations) == 1 else None
        if len(organisations) == 1:
            # Nothing to choose: the one organisation goes in without a picker.
            self.fields["customer"].widget = forms.HiddenInput()
            self.fields["customer"].initial = organisations[0].pk
        elif len(organisations) > 1:
            self.fields["customer"].empty_label = ""
            self.fields["customer"].help_text = _("Whose ticket is it?")
        self.contact = contact

    @transaction.atomic
    def save(self) -> Ticket:
        """Open the ticket through the desk's front door, with the files on its first message."""
        data = self.cleaned_data
        ticket = services.do_create_ticket(
            subject=data["subject"],
            description=data["description"],
            customer=data["customer"],
            requester=self.contact,
            priority=data["priority"],
            category=data["category"],
        )
        self.save_attachments(ticket.entries.get())
        # As for a ticket opened by mail: the contact gets the number and the link.
        services.acknowledge_on_commit(ticket)
        return ticket


class ReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: object, contact: Contact, ticket: Ticket, **kwargs: object) -> None:
        self.contact = contact
        self.ticket = ticket
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    @transaction.atomic
    def save(self) -> TicketEntry:
        entry = services.do_customer_reply(self.contact, self.ticket, self.cleaned_data["body"])
        self.save_attachments(entry)
        return entry

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if self.ticket.status == Status.CLOSED:
            raise ValidationError(
                _("This ticket is closed. Please open a new ticket and mention #%(number)s."),
                params={"number": self.ticket.pk},
            )
        return cleaned


class RatingForm(forms.Form):
    """The survey page's form: the rating (the clicked link's, preselected) and a comment.

    The rating is recorded only when this form is sent: opening a survey link changes
    nothing, so a mail scanner that follows both links records no rating.
    """

    rating = forms.ChoiceField(
        label=_("Your rating"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose good or bad.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
