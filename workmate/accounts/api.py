"""Personal API tokens (create, revoke, authenticate) and the accounts API router.

A token is `wm_` followed by 43 random URL-safe characters. Only the SHA-256 digest of
the whole token is stored; the secret itself is shown once, right after it is made.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from ninja import Router, Schema
from ninja.security import HttpBearer

from workmate.accounts.models import ApiToken, User

TOKEN_PREFIX = "wm_"
# How many characters of the secret the token list shows, so people can tell tokens apart.
SHOWN_PREFIX_LENGTH = 10
# Writing `last_used_at` on every call would turn each read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns it with its secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        digest=token_digest(secret),
    )
    return token, secret


def get_token_for_user(user: User, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


@transaction.atomic
def do_revoke_api_token(user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise Http404("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_token(secret: str) -> User | None:
    """The active owner of an active token, or None.

    Steps: look the token up by the digest of what was sent (the database never sees or
    compares the secret itself, so lookup time says nothing about it); compare the digests
    once more in constant time; note the use at most once a minute.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    digest = token_digest(secret)
    token = ApiToken.objects.active().select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer wm_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
            # The locale middleware ran before the token was read: speak the person's language.
            translation.activate(user.language)
        return user


router = Router(tags=["people"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str


@router.get("/me", response=MeOut, summary="Who the token belongs to")
def me(request: HttpRequest) -> User:
    return request.auth
