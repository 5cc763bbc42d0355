"""Standard Webhooks signing (https://www.standardwebhooks.com), through the maintained
`standardwebhooks` library.

A secret is 24 random bytes shown as `whsec_<base64>`. Each message carries three headers:
`webhook-id` (the same on every retry of one delivery), `webhook-timestamp` (whole seconds
since the epoch, UTC) and `webhook-signature`, a space-separated list of `v1,<base64>`
signatures: one per secret that is valid now, so a receiver that still holds the old
secret during a rotation's overlap keeps verifying.

The library's `sign()` replaces the datetime's zone by UTC rather than converting to it
(1.1.0): a datetime in another zone would be signed hours off. We always hand it UTC.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from collections.abc import Iterable

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def headers(
    message_id: str, body: str, secrets_now: Iterable[str], at: datetime.datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, signed with every given secret."""
    at = at.astimezone(datetime.UTC)
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body) for secret in secrets_now
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
