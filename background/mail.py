"""E-mail out of the request: an EMAIL_BACKEND that enqueues, and the task that delivers.

config/settings/production.py puts `QueuedEmailBackend` in EMAIL_BACKEND and the real backend (SMTP from
EMAIL_URL, or the console) in EMAIL_DELIVERY_BACKEND. Every message Django or Wagtail sends (moderation and
workflow notifications, password resets, the confirmation of a public proposal) then leaves the request as a
task: the page answers without waiting for the mail server, and a server that is down is tried again
(background/retries.py) instead of the message being lost. With the immediate task backend the message is
delivered at once, as before.

A message travels as JSON (the task queue's format): subject, bodies, addresses, headers, alternatives and
attachments (base64). A message carrying a raw MIME part as attachment cannot, and is delivered at once."""

import base64
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task

logger = logging.getLogger("background")


def to_json(message):
    """The message as JSON, or None if it holds something JSON cannot carry."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            return None
        filename, content, mimetype = attachment
        data = content.encode() if isinstance(content, str) else content
        attachments.append([filename, base64.b64encode(data).decode(), mimetype, isinstance(content, str)])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
        "encoding": message.encoding,
    }


def from_json(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[tuple(alternative) for alternative in data["alternatives"]],
    )
    for filename, content, mimetype, is_text in data["attachments"]:
        raw = base64.b64decode(content)
        message.attach(filename, raw.decode() if is_text else raw, mimetype)
    message.content_subtype = data["content_subtype"]
    message.encoding = data["encoding"]
    return message


def delivery_connection():
    backend = getattr(settings, "EMAIL_DELIVERY_BACKEND", None) or settings.EMAIL_BACKEND
    if backend == f"{__name__}.QueuedEmailBackend":
        raise ImproperlyConfigured("EMAIL_DELIVERY_BACKEND must name the backend that delivers the queued e-mail")
    return get_connection(backend)


@task()
def deliver(messages):
    """Send messages (as JSON) with the real backend; raise if it fails, so that the task is tried again."""
    sent = delivery_connection().send_messages([from_json(data) for data in messages])
    return sent or 0


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        queued, now = [], []
        for message in email_messages:
            if not message.recipients():
                continue
            data = to_json(message)
            (queued if data is not None else now).append(data if data is not None else message)
        # One task per message: a retry never sends again what was delivered.
        for data in queued:
            deliver.enqueue([data])
        if now:
            delivery_connection().send_messages(now)
        return len(queued) + len(now)
