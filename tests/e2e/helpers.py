"""Helpers for the browser tests: the file mailbox, authenticator codes, labelled fields and
sign-in. Fixtures are in conftest.py."""

from __future__ import annotations

import email
import re
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.accounts.factories import TEST_PASSWORD, TEST_TOTP_SECRET

# The filebased e-mail backend ends every message with a line of 79 dashes.
MESSAGE_SEPARATOR = re.compile(rb"^-{79}$", re.MULTILINE)


@dataclass
class Mailbox:
    """The e-mails Django's file backend wrote during one test."""

    directory: Path

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.log")):
            # Bytes: a body may be 8-bit UTF-8 rather than quoted-printable.
            for chunk in MESSAGE_SEPARATOR.split(path.read_bytes()):
                if chunk.strip():
                    found.append(
                        email.message_from_bytes(chunk.lstrip(b"\n"), policy=policy.default)
                    )
        return found

    def wait_for(self, *, to: str, subject: str, timeout: float = 10.0) -> EmailMessage:
        """The newest message to `to` whose subject contains `subject`. The e-mail task runs
        on commit inside the request, so it is normally there already; poll briefly anyway."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [
                message
                for message in self.messages()
                if to in message["To"] and subject in message["Subject"]
            ]
            if matching:
                return matching[-1]
            if time.monotonic() > deadline:
                sent = [(m["To"], m["Subject"]) for m in self.messages()]
                pytest.fail(f"no e-mail to {to} about {subject!r}; sent: {sent}")
            time.sleep(0.1)


def text_body(message: EmailMessage) -> str:
    """The plain-text part, decoded (it may be quoted-printable)."""
    return message.get_body(preferencelist=("plain",)).get_content()


def invitation_link(message: EmailMessage, base_url: str) -> str:
    match = re.search(re.escape(base_url) + r"/invitations/[^/\s]+/", text_body(message))
    assert match, f"no invitation link in:\n{text_body(message)}"
    return match.group(0)


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The current code of an authenticator app. Near the end of a 30-second period the code
    could expire between typing and checking, so wait for the next period then."""
    totp = pyotp.TOTP(secret)
    remaining = totp.interval - time.time() % totp.interval
    if remaining < 2:
        time.sleep(remaining)
    return totp.now()


def field(page: Page, label: str) -> Locator:
    """The form control labelled exactly `label`; crispy-forms appends "*" to required ones.
    (A regular expression is matched against the label's raw text, whitespace included.)"""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def sign_in(
    page: Page, email_address: str, *, password: str = TEST_PASSWORD, totp: bool = False
) -> None:
    """Sign in through allauth's form; with `totp`, answer the authenticator-code step."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    field(page, "Email").fill(email_address)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp:
        expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
        field(page, "Code").fill(totp_code())
        page.get_by_role("button", name="Sign In").click()
