"""A5 with concurrent writers: an invitation link is single-use, also when it is opened and
submitted twice at the same moment (a double click, two tabs): one account, one acceptance."""

from __future__ import annotations

from functools import partial

from django.utils import timezone

from accounts import services
from accounts.models import Contact, Invitation, User
from tests.accounts.factories import TEST_PASSWORD, ContactFactory, SiteFactory
from tests.concurrency.race import REPEATS, assert_every_run, at_once, concurrent, kinds

ALREADY_USED = (
    "This link has already been used. Sign in with your e-mail address and password, "
    "or reset your password if you have forgotten it."
)
ACCOUNT_EXISTS = "An account with this e-mail address already exists: sign in to accept."


def invitation_for(site, email: str, invited_by) -> Invitation:
    contact = ContactFactory(site=site, email=email)
    return Invitation.objects.create(
        contact=contact,
        kind=Invitation.Kind.INVITATION,
        email=email,
        invited_by=invited_by,
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )


def accept(invitation_id: int) -> User:
    """What the invitation page does when the password form is sent: load, then accept."""
    return services.invitation_accept(
        invitation=Invitation.objects.get(pk=invitation_id),
        password=TEST_PASSWORD,
        first_name="Ada",
        last_name="Newcomer",
        now=timezone.now(),
    )


def linked_users(*invitations: Invitation) -> list[int | None]:
    return [Contact.objects.get(pk=i.contact_id).user_id for i in invitations]


@concurrent
def test_accepting_one_invitation_twice_at_the_same_moment_makes_one_account_a5(world):
    """The same link submitted twice at once: one account, linked to the contact, the link
    used once; the other submission is told the link has already been used."""
    seen, expected = [], []
    for run in range(REPEATS):
        email = f"newcomer{run}@alpha.test"
        invitation = invitation_for(world.site, email, world.users["primary"])
        outcomes = at_once(partial(accept, invitation.pk), partial(accept, invitation.pk))
        accounts = list(User.objects.filter(email__iexact=email).values_list("pk", flat=True))
        seen.append(
            (
                kinds(outcomes),
                len(accounts),
                linked_users(invitation) == accounts,
                Invitation.objects.get(pk=invitation.pk).accepted_at is not None,
                [m for o in outcomes for m in o.messages],
            )
        )
        expected.append((["ok", "refused"], 1, True, True, [ALREADY_USED]))

    assert_every_run(seen, expected)


@concurrent
def test_two_invitations_to_one_address_accepted_at_the_same_moment_make_one_account_a5(world):
    """The same person invited to two sites of the customer opens both links and sets a
    password on both at once: one account; the other acceptance is asked to sign in (a clear
    refusal, never a server error from the unique e-mail address)."""
    annex = SiteFactory(agreement=world.site.agreement, reseller=world.reseller)
    seen = []
    for run in range(REPEATS):
        email = f"twice{run}@alpha.test"
        first = invitation_for(world.site, email, world.users["primary"])
        second = invitation_for(annex, email, world.users["primary"])
        outcomes = at_once(partial(accept, first.pk), partial(accept, second.pk))
        seen.append(
            (
                kinds(outcomes),
                User.objects.filter(email__iexact=email).count(),
                [m for o in outcomes for m in o.messages],
            )
        )

    assert_every_run(seen, [(["ok", "refused"], 1, [ACCOUNT_EXISTS])] * REPEATS)
