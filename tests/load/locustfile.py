"""The users of the load test (issue #10 item 3): customer, reseller and staff users who sign
in through allauth's pages (CSRF, and the authenticator code that A6 asks of resellers and
staff), then mix the dashboard, inventory, entitlement, quote, ticket and PDF pages.

The pages are reached as a person reaches them: by the links of the pages already seen
(an entitlement from the inventory, a ticket from the ticket list, a quote's PDF from the
quote), so a user only asks for what its role may see and every answer must be a 200.

gunicorn stands behind a TLS-terminating proxy (production settings: secure cookies, HSTS);
the users play that proxy's part on the loopback: X-Forwarded-Proto, and an X-Forwarded-For
address of their own (the sign-in rate limit counts per address, A6).

Run by tests/load/drive.py (`make load`); the identities come from tests/load/users.py
through LOAD_IDENTITIES. By hand, against `tests/load/run.py --serve`:
    LOAD_IDENTITIES=… .venv/bin/locust -f tests/load/locustfile.py --host http://127.0.0.1:PORT
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import pyotp
from locust import HttpUser, task

SIGN_IN_PREFIX = "sign-in: "
# The pages the report gives figures for (the request names); the sign-ins are apart.
PAGE_TYPES = (
    "dashboard",
    "inventory",
    "entitlement detail",
    "site detail",
    "quote list",
    "quote detail",
    "ticket list",
    "ticket detail",
    "PoE PDF",
    "quote PDF",
    "PDF status",
)
LINKS = {
    "entitlements": re.compile(r'href="(/entitlements/\d+/)"'),
    "tickets": re.compile(r'href="(/support/tickets/[^/"]+/)"'),
    "quotes": re.compile(r'href="(/renewals/quotes/[^/"]+/)"'),
    "sites": re.compile(r'href="(/sites/\d+/)"'),
    "poe": re.compile(r'href="(/sites/\d+/poe/)"'),
    "quote_pdfs": re.compile(r'href="(/renewals/quotes/[^/"]+/pdf/)"'),
}
PAGE_NUMBER = re.compile(r'href="\?(?:[^"]*&amp;)?page=(\d+)')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEEP_LINKS = 40  # per kind and user: enough to spread the requests over the data
PDF_WAIT_SECONDS = 60  # a PoE the worker renders: how long the user waits for it

IDENTITIES_PATH = os.environ.get("LOAD_IDENTITIES", "")
_identities: dict[str, list[dict]] | None = None


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """The proxy's inside: the portal's Secure cookies travel on this plain-HTTP loopback.
    requests builds a fresh cookie jar (the default policy) for every request and redirect,
    so the default itself is replaced, in this process only (it talks to the loopback only)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("secure_protocols", ("https", "wss", "http"))
        super().__init__(*args, **kwargs)


http.cookiejar.DefaultCookiePolicy = LoopbackCookiePolicy
_next_identity = {role: itertools.count() for role in ("customer", "reseller", "staff")}
_next_address = itertools.count(1)
# Read by the driver: a measured phase starts when all its users are in.
signed_in_users = 0
failed_sign_ins = 0
codes_retyped = 0


def identities(role: str) -> list[dict]:
    global _identities  # noqa: PLW0603 (loaded once, on the first user)
    if _identities is None:
        rows = json.loads(Path(IDENTITIES_PATH).read_text())
        _identities = {}
        for row in rows:
            _identities.setdefault(row["role"], []).append(row)
    return _identities.get(role, [])


def client_address() -> str:
    number = next(_next_address)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


# Seconds between a user's pages (min, max); drive.py changes it between phases.
THINK_SECONDS = [
    float(os.environ.get("LOAD_THINK_MIN", "4")),
    float(os.environ.get("LOAD_THINK_MAX", "12")),
]
SATURATION_THINK_SECONDS = (0.5, 1.5)


class PortalUser(HttpUser):
    abstract = True
    role = ""

    # Think time: a person reads a page before the next (the steady phase: 4–12 s, i.e. about
    # one page in 8 s per user); the saturation phase shortens it to find the throughput limit.
    def wait_time(self):
        return random.uniform(*THINK_SECONDS)

    quote_list = "/renewals/"
    ticket_list = "/support/"

    def on_start(self) -> None:
        global signed_in_users, failed_sign_ins  # noqa: PLW0603 (this process's counters)
        pool = identities(self.role)
        self.identity = pool[next(_next_identity[self.role]) % len(pool)]
        self.links: dict[str, list[str]] = {kind: [] for kind in LINKS}
        self.inventory_pages = 1
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "X-Forwarded-For": client_address()}
        )
        self.origin = self.host.replace("http://", "https://", 1)
        try:
            self.sign_in()
        except Exception:
            failed_sign_ins += 1
            raise
        signed_in_users += 1
        for path, name in (
            ("/", "dashboard"),
            ("/inventory/", "inventory"),
            (self.ticket_list, "ticket list"),
            (self.quote_list, "quote list"),
        ):
            self.page(path, name)

    # --- signing in: real POSTs to allauth's forms ------------------------------------------

    def post_form(self, path: str, data: dict, *, form_page: str, name: str):
        token = CSRF.search(form_page)
        data = {"csrfmiddlewaretoken": token.group(1) if token else "", **data}
        # On HTTPS, Django's CSRF check wants a same-origin Referer (a browser sends one).
        return self.client.post(
            path,
            data=data,
            headers={"Referer": self.origin + path},
            name=SIGN_IN_PREFIX + name,
            catch_response=True,
        )

    def sign_in(self) -> None:
        form = self.client.get("/accounts/login/", name=SIGN_IN_PREFIX + "form")
        email, password = self.identity["email"], self.identity["password"]
        with self.post_form(
            "/accounts/login/",
            {"login": email, "password": password},
            form_page=form.text,
            name="password",
        ) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{email}: the password was refused ({response.status_code})")
                raise RuntimeError(f"{email} could not sign in")
            if self.identity["totp"]:
                if "/accounts/2fa/authenticate/" not in response.url:
                    response.failure(f"{email}: no authenticator step ({response.url})")
                    raise RuntimeError(f"{email} could not sign in")
                step = response.text
            elif "/accounts/" in response.url:
                response.failure(f"{email}: signed in to {response.url}")
                raise RuntimeError(f"{email} could not sign in")
        if self.identity["totp"]:
            self.authenticator_code(email, step)

    def authenticator_code(self, email: str, form_page: str, *, again: bool = True) -> None:
        """The code of the moment; one more try with the next code when the first was
        refused (it expired while the request queued on a busy server: a person types the
        new one), counted in `codes_retyped`."""
        global codes_retyped  # noqa: PLW0603 (this process's counter)
        totp = pyotp.TOTP(self.identity["totp"])
        if totp.interval - time.time() % totp.interval < 2:
            time.sleep(2)  # the code would expire between typing and checking
        with self.post_form(
            "/accounts/2fa/authenticate/",
            {"code": totp.now()},
            form_page=form_page,
            name="authenticator code",
        ) as response:
            if response.status_code == 200 and "/accounts/" not in response.url:
                return
            if again and "/accounts/2fa/authenticate/" in response.url:
                response.success()
                codes_retyped += 1
                retry_page = response.text
            else:
                response.failure(f"{email}: the authenticator code was refused ({response.url})")
                raise RuntimeError(f"{email} could not sign in")
        self.authenticator_code(email, retry_page, again=False)

    # --- pages ----------------------------------------------------------------------------

    def page(self, path: str, name: str) -> str:
        """A page that must answer 200 with the portal's HTML for this signed-in user; its
        links feed the next choices."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: {response.status_code}")
                return ""
            if "/accounts/login/" in response.url:
                response.failure(f"{path}: sent to the sign-in page")
                return ""
            text = response.text
        for kind, pattern in LINKS.items():
            known = self.links[kind]
            for link in pattern.findall(text):
                if link not in known:
                    if len(known) < KEEP_LINKS:
                        known.append(link)
                    else:
                        known[random.randrange(KEEP_LINKS)] = link
        if name == "inventory":
            self.inventory_pages = max(
                [self.inventory_pages, *(int(n) for n in PAGE_NUMBER.findall(text))]
            )
        return text

    def linked(self, kind: str, fallback: tuple[str, str], name: str) -> None:
        if self.links[kind]:
            self.page(random.choice(self.links[kind]), name)
        else:
            self.page(*fallback)

    def pdf(self, path: str, name: str) -> None:
        """A PDF: served at once when it is small, else a status page while the worker
        renders it (then the user fetches the download link the status page gives)."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 200:
                if response.headers.get("Content-Type") != "application/pdf":
                    response.failure(f"{path}: not a PDF")
                return
            if response.status_code != 302:
                response.failure(f"{path}: {response.status_code}")
                return
            status = response.headers["Location"]
        download = status.rstrip("/") + "/download/"
        deadline = time.monotonic() + PDF_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(1)
            with self.client.get(
                download, name="PDF status", allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code == 200:
                    return
                if response.status_code != 302:
                    response.failure(f"{download}: {response.status_code}")
                    return
        self.client.request_event.fire(  # the wait itself is the failure
            request_type="GET", name="PDF status", response_time=PDF_WAIT_SECONDS * 1000,
            response_length=0, exception=TimeoutError(f"{path}: not rendered in time"),
            context={},
        )  # fmt: skip

    @task(2)
    def dashboard(self) -> None:
        self.page("/", "dashboard")

    @task(3)
    def inventory(self) -> None:
        page = 1 if random.random() < 0.6 else random.randint(1, self.inventory_pages)
        self.page("/inventory/" + (f"?page={page}" if page > 1 else ""), "inventory")

    @task(3)
    def entitlement(self) -> None:
        self.linked("entitlements", ("/inventory/", "inventory"), "entitlement detail")

    @task(1)
    def site(self) -> None:
        self.linked("sites", ("/", "dashboard"), "site detail")

    @task(2)
    def quotes(self) -> None:
        self.page(self.quote_list, "quote list")

    @task(2)
    def quote(self) -> None:
        self.linked("quotes", (self.quote_list, "quote list"), "quote detail")

    @task(2)
    def tickets(self) -> None:
        self.page(self.ticket_list, "ticket list")

    @task(2)
    def ticket(self) -> None:
        self.linked("tickets", (self.ticket_list, "ticket list"), "ticket detail")

    @task(1)
    def poe_pdf(self) -> None:
        if self.links["poe"]:
            self.pdf(random.choice(self.links["poe"]), "PoE PDF")
        else:
            self.site()  # the PoE link is on the site page

    @task(1)
    def quote_pdf(self) -> None:
        if self.links["quote_pdfs"]:
            self.pdf(random.choice(self.links["quote_pdfs"]), "quote PDF")
        else:
            self.quote()  # the PDF link is on the quote page


class CustomerUser(PortalUser):
    role = "customer"
    weight = 2


class ResellerUser(PortalUser):
    role = "reseller"
    weight = 1
    quote_list = "/renewals/clients/"


class StaffUser(PortalUser):
    role = "staff"
    weight = 1
    ticket_list = "/support/queue/"
