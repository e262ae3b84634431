"""The load test's sign-ins (run by tests/load/run.py in `manage.py shell`, on the throw-away
database only).

Staff and reseller users sign in with an authenticator code (A6), and allauth accepts each
code once per user and period: fifty simulated users cannot share the one demo staff user.
So each simulated staff or reseller user gets a user of its own, made here set-based (one
password hash, bulk inserts) with a TOTP secret of its own. Customer users are the data's
own (the contacts with a user), the busiest first; all share one password set here.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count

from accounts.models import Site, User

RESELLERS = 3  # the load's reseller users act for the resellers with the most client sites


def _secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


@transaction.atomic
def load_users_create(*, path: str, count: int) -> None:
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)
    resellers = [
        row["reseller"]
        for row in Site.objects.filter(reseller__isnull=False)
        .values("reseller")
        .annotate(sites=Count("id"))
        .order_by("-sites", "reseller")[:RESELLERS]
    ]
    identities: list[dict] = []
    made: list[tuple[User, str, str]] = []
    for index in range(count):
        made.append(
            (
                User(
                    email=f"load-staff-{index:03}@load.entitle.test",
                    password=hashed,
                    first_name="Load",
                    last_name=f"Staff {index}",
                    is_staff=True,
                ),
                "staff",
                _secret(),
            )
        )
        if resellers:
            made.append(
                (
                    User(
                        email=f"load-reseller-{index:03}@load.entitle.test",
                        password=hashed,
                        first_name="Load",
                        last_name=f"Reseller {index}",
                        reseller_id=resellers[index % len(resellers)],
                    ),
                    "reseller",
                    _secret(),
                )
            )
    User.objects.bulk_create([user for user, _role, _secret_ in made])
    users = {user.email: user for user in User.objects.filter(email__endswith="@load.entitle.test")}
    EmailAddress.objects.bulk_create(
        EmailAddress(user=users[user.email], email=user.email, verified=True, primary=True)
        for user, _role, _secret_ in made
    )
    Authenticator.objects.bulk_create(
        Authenticator(
            user=users[user.email],
            type=Authenticator.Type.TOTP,
            data={"secret": encrypt(secret)},
        )
        for user, _role, secret in made
    )
    identities += [
        {"role": role, "email": user.email, "password": password, "totp": secret}
        for user, role, secret in made
    ]

    customers = list(
        User.objects.filter(is_staff=False, reseller__isnull=True, contacts__isnull=False)
        .annotate(sites=Count("contacts"))
        .order_by("-sites", "pk")
        .values_list("pk", "email")[:count]
    )
    User.objects.filter(pk__in=[pk for pk, _email in customers]).update(password=hashed)
    EmailAddress.objects.filter(user_id__in=[pk for pk, _email in customers]).update(verified=True)
    identities += [
        {"role": "customer", "email": email, "password": password, "totp": ""}
        for _pk, email in customers
    ]
    Path(path).write_text(json.dumps(identities))
    print(  # noqa: T201
        f"load users: {count} staff, {count if resellers else 0} reseller "
        f"(resellers {resellers}), {len(customers)} customer"
    )
