"""send_password_reset_email: takes ids, skips people who cannot use the link, safe to rerun."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from workmate.accounts.models import User
from workmate.accounts.tasks import send_password_reset_email


def run(user_id: int, use_https: bool = False):
    return send_password_reset_email.enqueue(
        user_id=user_id, domain="work.example.com", use_https=use_https
    )


def test_sends_an_https_link_for_the_given_domain(alice):
    result = run(alice.pk, use_https=True)

    assert result.return_value is True
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.from_email == "Workmate <workmate@localhost>"
    assert "https://work.example.com/password/reset/" in message.body


def test_running_twice_sends_two_valid_links(alice):
    run(alice.pk)
    run(alice.pk)

    tokens = [message.body.split("/password/reset/")[1].split("/")[1] for message in mail.outbox]
    assert len(tokens) == 2
    assert all(default_token_generator.check_token(alice, token) for token in tokens)


def test_skips_an_inactive_person(alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert run(alice.pk).return_value is False
    assert mail.outbox == []


def test_skips_a_person_without_a_usable_password(alice):
    alice.set_unusable_password()
    alice.save()

    assert run(alice.pk).return_value is False
    assert mail.outbox == []


def test_skips_a_person_deleted_since(db):
    assert run(987654).return_value is False
    assert mail.outbox == []
