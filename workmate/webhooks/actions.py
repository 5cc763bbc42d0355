"""The rule actions "send a webhook" and "post to a chat channel" (automation's registry).

Both queue a delivery in the rule run's transaction (so an action rolled back sends
nothing) and leave the sending to the worker, with the endpoint's retries and log. The
key names the run and the text, so a run that is retried does not post twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workmate.automation.actions import ActionContext, ActionError, ActionForm, register_action
from workmate.webhooks import chat, services
from workmate.webhooks.models import CHAT_KINDS, Endpoint, EndpointKind


class SendWebhookForm(ActionForm):
    endpoint = forms.ModelChoiceField(
        queryset=Endpoint.objects.none(), label=gettext_lazy("Endpoint")
    )
    note = forms.CharField(
        label=gettext_lazy("Note (placeholders allowed)"), max_length=500, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["endpoint"].queryset = services.endpoints_for(self.user).filter(
                kind=EndpointKind.WEBHOOK
            )


class PostToChatForm(ActionForm):
    destination = forms.ModelChoiceField(
        queryset=Endpoint.objects.none(), label=gettext_lazy("Chat channel")
    )
    text = forms.CharField(
        label=gettext_lazy("Message (placeholders allowed)"), max_length=1000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["destination"].queryset = services.endpoints_for(self.user).filter(
                kind__in=CHAT_KINDS
            )


def _endpoint(ctx: ActionContext, pk: Any, kinds: set[str]) -> Endpoint:
    endpoint = services.endpoints_for(ctx.actor).filter(pk=pk, kind__in=kinds).first()
    if endpoint is None:
        raise ActionError(_("The endpoint is gone, or the rule's owner no longer manages it."))
    if not endpoint.is_enabled:
        raise ActionError(_("The endpoint “%(name)s” is turned off.") % {"name": endpoint.name})
    return endpoint


def _key(ctx: ActionContext, endpoint: Endpoint, text: str) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return f"run:{ctx.run.pk if ctx.run else 0}:{endpoint.pk}:{digest}"


def _link(ctx: ActionContext) -> str:
    return services.object_link(ctx.object_type, ctx.obj.pk)


def send_webhook(ctx: ActionContext, params: dict[str, Any]) -> str:
    endpoint = _endpoint(ctx, params.get("endpoint"), {EndpointKind.WEBHOOK})
    note = ctx.fill(params.get("note") or "")
    body = services._json(
        {
            "type": "rule.webhook",
            "timestamp": services._iso(timezone.now()),
            "data": {
                "rule": {"id": ctx.rule.pk, "name": ctx.rule.name},
                "event_id": ctx.event.pk if ctx.event is not None else None,
                "object_type": ctx.object_type,
                "object_id": ctx.obj.pk,
                "url": _link(ctx),
                "note": note,
                "values": ctx.values,
            },
        }
    )
    services.queue_message(
        endpoint,
        key=_key(ctx, endpoint, body if ctx.run is None else note),
        event_type="rule.webhook",
        body=body,
        event=ctx.event,
    )
    return _("Queued a webhook to %(name)s.") % {"name": endpoint.name}


def describe_webhook(ctx: ActionContext, params: dict[str, Any]) -> str:
    endpoint = _endpoint(ctx, params.get("endpoint"), {EndpointKind.WEBHOOK})
    return _("Would send a webhook to %(name)s.") % {"name": endpoint.name}


def post_to_chat(ctx: ActionContext, params: dict[str, Any]) -> str:
    endpoint = _endpoint(ctx, params.get("destination"), CHAT_KINDS)
    text = ctx.fill(params.get("text") or "").strip()
    if not text:
        raise ActionError(_("The message is empty."))
    with translation.override(endpoint.language):
        body = services.chat_body(endpoint, chat.ChatMessage(title=text, url=_link(ctx)))
    services.queue_message(
        endpoint,
        key=_key(ctx, endpoint, text),
        event_type="rule.chat",
        body=body,
        event=ctx.event,
    )
    return _("Posted to %(name)s: %(text)s") % {"name": endpoint.name, "text": text[:200]}


def describe_chat(ctx: ActionContext, params: dict[str, Any]) -> str:
    endpoint = _endpoint(ctx, params.get("destination"), CHAT_KINDS)
    text = ctx.fill(params.get("text") or "")
    return _("Would post to %(name)s: %(text)s") % {"name": endpoint.name, "text": text[:200]}


def register() -> None:
    register_action(
        "webhook.send",
        gettext_lazy("Send a webhook"),
        SendWebhookForm,
        send_webhook,
        describe_webhook,
    )
    register_action(
        "chat.post",
        gettext_lazy("Post to a chat channel"),
        PostToChatForm,
        post_to_chat,
        describe_chat,
    )
