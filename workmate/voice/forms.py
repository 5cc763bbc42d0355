from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workmate.accounts.models import Team
from workmate.lib.forms import IdsChoiceField
from workmate.voice.models import Area, ProposalStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none and not required)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        cleaned = super().clean(data, initial)
        return [cleaned] if cleaned else []


ATTACHMENTS_HELP = _(
    "Optional: up to 3 images, PDFs, text or office documents. Files keep what is inside "
    "them, so an anonymous proposal's files must not name you (check a document's author)."
)


class ProposalForm(forms.Form):
    """Posting a proposal; `EditProposalForm` is the same without the anonymity choice."""

    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("What is inconvenient"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the situation as it is today. Markdown works."),
    )
    suggestion = forms.CharField(
        label=_("How it should work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: your idea of a better way."),
    )
    # No area preselected: "Tools" by default would file half the board under it.
    area = forms.ChoiceField(label=_("Area"), choices=[("", "—"), *Area.choices])
    affected_teams = IdsChoiceField(
        label=_("Affected teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    anonymous = forms.BooleanField(
        label=_("Post anonymously"),
        required=False,
        help_text=_(
            "Your name is not stored with the proposal: nobody — not leads, not admins — "
            "can see who wrote it. Only you see it under “My proposals”. Votes and comments "
            "you add are signed with your name."
        ),
    )
    # Named like the service's error key so its errors land beside the field.
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, help_text=ATTACHMENTS_HELP
    )


class EditProposalForm(ProposalForm):
    anonymous = None  # type: ignore[assignment]
    attachments = None  # type: ignore[assignment]


class AttachmentsForm(forms.Form):
    attachments = MultipleFileField(label=_("Add files"), help_text=ATTACHMENTS_HELP)


class RemoveAttachmentForm(forms.Form):
    # Only a lead removing someone else's file gives a reason; the author needs none.
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class VoteForm(forms.Form):
    comment = forms.CharField(
        label=_("What it costs you"),
        required=False,
        max_length=500,
        help_text=_("Optional: e.g. “30 minutes every Monday”."),
    )


MENTION_HELP = _(
    "Mention someone with @ and their name or e-mail handle (@윤하은, @Alice Kim, "
    "@alice); pick them from the list that opens as you type."
)


class CommentForm(forms.Form):
    # `data-mention`: the @mention autocomplete (static/js/mentions.js) opens here.
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3, "data-mention": ""}),
        help_text=MENTION_HELP,
    )


class ReplyForm(forms.Form):
    """A reply under one comment; its ids carry the comment's so several can be open."""

    body = forms.CharField(
        label=pgettext_lazy("voice comment", "Your reply"),
        widget=forms.Textarea(attrs={"rows": 2, "data-mention": ""}),
        help_text=MENTION_HELP,
    )

    def __init__(self, data: object = None, *, comment_pk: int) -> None:
        super().__init__(data, auto_id=f"reply-{comment_pk}-%s")  # type: ignore[arg-type]
        self.comment_pk = comment_pk


class Sort:
    TOP = "top"
    NEWEST = "new"
    WAITING = "waiting"


class BoardFilterForm(forms.Form):
    """The board's filter bar; every filter is a GET parameter, so a URL keeps them."""

    area = forms.ChoiceField(label=_("Area"), required=False, choices=[("", _("All areas"))])
    status = forms.ChoiceField(label=_("Status"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            (Sort.TOP, _("Top voted")),
            (Sort.NEWEST, _("Newest")),
            (Sort.WAITING, _("Waiting longest")),
        ],
    )

    def __init__(self, data: object) -> None:
        super().__init__(data, auto_id="board_%s")  # type: ignore[arg-type]
        self.fields["area"].choices = [("", _("All areas")), *Area.choices]  # type: ignore[attr-defined]
        statuses = [item for item in ProposalStatus.choices if item[0] != ProposalStatus.MERGED]
        self.fields["status"].choices = [("", _("Any status")), *statuses]  # type: ignore[attr-defined]
