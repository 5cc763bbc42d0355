"""The author of an anonymous proposal follows it through a flag, not a subscription row.

Existing rows that are an anonymous proposal's author's (recognised by the digest, as the
board does) become the flag and are deleted, so no row connects an author to one.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models


def _digest(user_id: int, nonce: str) -> str:
    # As `workmate.voice.models.author_digest_for` when this migration was written.
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"voice-author:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()


def authors_follow_by_flag(apps, schema_editor):
    Proposal = apps.get_model("voice", "Proposal")
    Subscription = apps.get_model("voice", "Subscription")
    for proposal in Proposal.objects.filter(is_anonymous=True).iterator():
        for subscription in Subscription.objects.filter(proposal=proposal):
            if hmac.compare_digest(
                proposal.author_digest, _digest(subscription.user_id, proposal.nonce)
            ):
                subscription.delete()
                proposal.author_follows = True
                proposal.save(update_fields=["author_follows"])
                break


def authors_follow_by_row(apps, schema_editor):
    Proposal = apps.get_model("voice", "Proposal")
    Subscription = apps.get_model("voice", "Subscription")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for proposal in Proposal.objects.filter(author_follows=True).iterator():
        for user_id in User.objects.values_list("pk", flat=True).iterator():
            if hmac.compare_digest(proposal.author_digest, _digest(user_id, proposal.nonce)):
                Subscription.objects.get_or_create(proposal=proposal, user_id=user_id)
                break
    Proposal.objects.update(author_follows=False)


class Migration(migrations.Migration):
    dependencies = [
        ("voice", "0003_comment_replies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="author_follows",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_anonymous", True), ("author_follows", False), _connector="OR"),
                name="proposal_author_follows_only_anonymous",
            ),
        ),
        migrations.RunPython(authors_follow_by_flag, authors_follow_by_row),
    ]
