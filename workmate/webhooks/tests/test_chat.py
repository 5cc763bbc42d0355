"""Payload snapshots: what Slack, Teams (Workflows) and JANDI get, in the channel's language."""

from __future__ import annotations

import json

from django.utils import translation

from workmate.webhooks import chat

MESSAGE = chat.ChatMessage(
    title="P1 from Hanbit Bank <urgent> & late",
    text="Login fails for every teller",
    url="/desk/tickets/42/",
)


def test_slack_snapshot(settings):
    settings.SITE_URL = "https://workmate.example"
    body, headers = chat.render("slack", MESSAGE)

    assert headers == {"Content-Type": "application/json"}
    assert json.loads(body) == {
        "text": "P1 from Hanbit Bank <urgent> & late\nLogin fails for every teller",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*<https://workmate.example/desk/tickets/42/|"
                    "P1 from Hanbit Bank &lt;urgent&gt; &amp; late>*",
                },
            },
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "Login fails for every teller"},
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "<https://workmate.example/desk/tickets/42/|Open in Workmate>",
                    }
                ],
            },
        ],
    }


def test_teams_snapshot_is_an_adaptive_card_message(settings):
    settings.SITE_URL = "https://workmate.example"
    body, headers = chat.render("teams", MESSAGE)

    assert headers == {"Content-Type": "application/json"}
    assert json.loads(body) == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": "P1 from Hanbit Bank <urgent> & late",
                            "weight": "Bolder",
                            "wrap": True,
                        },
                        {"type": "TextBlock", "text": "Login fails for every teller", "wrap": True},
                    ],
                    "actions": [
                        {
                            "type": "Action.OpenUrl",
                            "title": "Open in Workmate",
                            "url": "https://workmate.example/desk/tickets/42/",
                        }
                    ],
                },
            }
        ],
    }


def test_jandi_snapshot_with_its_accept_header(settings):
    settings.SITE_URL = "https://workmate.example"
    body, headers = chat.render("jandi", MESSAGE)

    assert headers == {
        "Content-Type": "application/json",
        "Accept": "application/vnd.tosslab.jandi-v2+json",
    }
    assert json.loads(body) == {
        "body": "[P1 from Hanbit Bank <urgent> & late](https://workmate.example/desk/tickets/42/)",
        "connectColor": "#1F5EFF",
        "connectInfo": [
            {
                "title": "P1 from Hanbit Bank <urgent> & late",
                "description": "Login fails for every teller",
            }
        ],
    }


def test_the_link_label_follows_the_channel_language(settings):
    settings.SITE_URL = "https://workmate.example"
    with translation.override("ko"):
        body, _headers = chat.render("teams", MESSAGE)

    card = json.loads(body)["attachments"][0]["content"]
    assert card["actions"][0]["title"] == "Workmate에서 열기"
    # Korean stays readable in the body (not \\u escapes).
    assert "Workmate에서 열기" in body
