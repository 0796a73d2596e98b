"""Telling people about urgent answers: e-mail and a signed webhook, retried until they land.

A message carries a link to the review page and nothing of the answer itself: the text is
read only by someone who logs in, and that reading is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import select

from kraftsamling.autolarm._store import AnswerReview, Notification
from kraftsamling.settings import Settings
from kraftsamling.store import Database
from kraftsamling.store.audit import record_event
from kraftsamling.store.models import utcnow

__all__ = ["MAX_ATTEMPTS", "deliver_pending", "sign_payload", "webhook_payload"]

MAX_ATTEMPTS = 6
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10),
           timedelta(minutes=30), timedelta(hours=2))
SIGNATURE_HEADER = "X-Kraftsamling-Signature"


def _link(settings: Settings, answer_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}/review/{answer_id}"


def webhook_payload(settings: Settings, answer: AnswerReview) -> bytes:
    body = {"event": "autolarm.urgent", "alert_id": answer.id,
            "url": _link(settings, answer.id), "categories": answer.categories,
            "created_at": answer.created_at.isoformat()}
    return json.dumps(body, sort_keys=True).encode()


def sign_payload(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _send_email(settings: Settings, answer: AnswerReview) -> None:
    message = EmailMessage()
    message["Subject"] = "Kraftsamling: nytt akut larm att granska"
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.alert_email_to)
    message.set_content(
        "Autolarm har flaggat ett elevsvar som akut.\n\n"
        f"Granska det här: {_link(settings, answer.id)}\n\n"
        "Svarets text skickas aldrig med e-post. Logga in för att läsa det; visningen loggas.\n"
    )
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def _send_webhook(settings: Settings, answer: AnswerReview) -> None:
    assert settings.webhook_url is not None
    body = webhook_payload(settings, answer)
    secret = (settings.webhook_secret.get_secret_value().encode()
              if settings.webhook_secret else settings.resolved_secret_key())
    response = httpx.post(settings.webhook_url, content=body, timeout=10,
                          headers={"Content-Type": "application/json",
                                   SIGNATURE_HEADER: sign_payload(secret, body)})
    response.raise_for_status()


def deliver_pending(database: Database, settings: Settings, *, now: datetime | None = None
                    ) -> int:
    """Try every notification that is due; returns how many were delivered this round."""
    now = now or utcnow()
    delivered = 0
    with database.session() as session:
        due = session.scalars(select(Notification).where(Notification.status == "pending")
                              .order_by(Notification.id)).all()
        work = [(n.id, n.channel, n.answer_id) for n in due if n.next_attempt_at <= now]
    for notification_id, channel, answer_id in work:
        with database.session() as session:
            notification = session.get(Notification, notification_id)
            answer = session.get(AnswerReview, answer_id)
            if notification is None or answer is None or notification.status != "pending":
                continue
            notification.attempts += 1
            try:
                if channel == "email":
                    _send_email(settings, answer)
                else:
                    _send_webhook(settings, answer)
            except (OSError, smtplib.SMTPException, httpx.HTTPError) as error:
                notification.last_error = f"{type(error).__name__}: {error}"[:500]
                if notification.attempts >= MAX_ATTEMPTS:
                    notification.status = "failed"
                else:
                    wait = BACKOFF[min(notification.attempts - 1, len(BACKOFF) - 1)]
                    notification.next_attempt_at = now + wait
                record_event(session, actor="system", action="notification_failed",
                             object_type="autolarm_answer", object_id=answer_id,
                             detail={"channel": channel, "attempt": notification.attempts,
                                     "final": notification.status == "failed"})
                continue
            notification.status = "sent"
            notification.sent_at = now
            record_event(session, actor="system", action="notification_sent",
                         object_type="autolarm_answer", object_id=answer_id,
                         detail={"channel": channel, "attempt": notification.attempts})
            delivered += 1
    return delivered
