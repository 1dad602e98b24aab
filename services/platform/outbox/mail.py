"""Sending e-mail: SMTP in production, a folder of ``.eml`` files in embedded mode.

Every message has a ``Message-ID`` derived from its notification id, so a message sent
twice (a crash between sending and recording it) is recognisably the same message.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from services.platform.config import Mode, Settings

_log = logging.getLogger(__name__)


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._starttls = settings.smtp_starttls
        self._username = settings.smtp_username
        self._password = settings.smtp_password

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=30) as smtp:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(message)


class FolderMailer:
    """Embedded mode: each message becomes ``<data_dir>/mail/<message-id>.eml`` (written
    atomically; sending the same message twice rewrites the same file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").split("@")[0]
        target = self.folder / f"{name}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(bytes(message))
        os.replace(temporary, target)


def mailer_for(settings: Settings) -> Mailer | None:
    """SMTP when configured; the mail folder in embedded mode; otherwise none (the
    notifications are still recorded and shown, and a warning says mail is off)."""
    if settings.smtp_host:
        return SmtpMailer(settings)
    if settings.mode is Mode.EMBEDDED:
        return FolderMailer(settings.data_dir / "mail")
    _log.warning("REGIETAFEL_SMTP_HOST is not set: notifications are not e-mailed")
    return None


def compose(*, sender: str, to: str, subject: str, body: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@regietafel>"
    message.set_content(body)
    return message
