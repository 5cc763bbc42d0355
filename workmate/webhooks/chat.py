"""The message each chat tool's incoming webhook expects.

- Slack incoming webhooks: `text` (the notification's fallback) and `blocks` (mrkdwn).
- Microsoft Teams Workflows webhooks ("When a Teams webhook request is received"): a
  `message` whose attachment is an Adaptive Card; the old Office 365 connectors are gone.
- JANDI incoming webhooks: `body`, `connectColor` and `connectInfo`, sent with JANDI's
  `Accept: application/vnd.tosslab.jandi-v2+json`.

The caller writes the title and text in the channel's language; the link back is
absolute (SITE_URL), since the message is read outside Workmate.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

JSON_HEADERS = {"Content-Type": "application/json"}
JANDI_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/vnd.tosslab.jandi-v2+json",
}
# Workmate's blue, as on the pages.
COLOUR = "#1F5EFF"


@dataclasses.dataclass(frozen=True)
class ChatMessage:
    title: str
    text: str = ""
    url: str = ""  # A path ("/work/tasks/1/") or an absolute URL.

    @property
    def link(self) -> str:
        if not self.url or self.url.startswith(("http://", "https://")):
            return self.url
        return settings.SITE_URL + self.url


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: ChatMessage) -> dict[str, Any]:
    title = _slack_escape(message.title)
    heading = f"*<{message.link}|{title}>*" if message.link else f"*{title}*"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": heading}},
    ]
    if message.text:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(message.text)}}
        )
    if message.link:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"<{message.link}|{_slack_escape(_('Open in Workmate'))}>",
                    }
                ],
            }
        )
    fallback = message.title if not message.text else f"{message.title}\n{message.text}"
    return {"text": fallback, "blocks": blocks}


def teams(message: ChatMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.title, "weight": "Bolder", "wrap": True},
    ]
    if message.text:
        body.append({"type": "TextBlock", "text": message.text, "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": _("Open in Workmate"), "url": message.link}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def jandi(message: ChatMessage) -> dict[str, Any]:
    title = f"[{message.title}]({message.link})" if message.link else message.title
    payload: dict[str, Any] = {"body": title, "connectColor": COLOUR}
    if message.text:
        payload["connectInfo"] = [{"title": message.title, "description": message.text}]
    return payload


BUILDERS = {
    "slack": (slack, JSON_HEADERS),
    "teams": (teams, JSON_HEADERS),
    "jandi": (jandi, JANDI_HEADERS),
}


def render(kind: str, message: ChatMessage) -> tuple[str, dict[str, str]]:
    """The body (JSON text) and headers of `message` for a chat tool of `kind`."""
    build, headers = BUILDERS[kind]
    return json.dumps(build(message), ensure_ascii=False), dict(headers)
