"""Writes for three-year commitments (N9): the invitation on reaching VIP Select, acceptance
(durable, the commitment row locked), the fixed prices (products added during the term
included), reminders before each checked anniversary, and enforcement after it: a
commitment not renewed is broken (licences bought at 3YC prices returned, level 1, both
parties e-mailed); at the end of the term it is completed.

The jobs are set-based: they query the commitments due, and each commitment's writes and
e-mails are one transaction, keyed so a run repeated for one day does nothing new."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from accounts.models import Agreement, User
from licensing.models import Entitlement, EntitlementEvent, Order, Product
from portal.core.audit import acting_as
from portal.core.batch import JobSummary
from portal.core.formatting import format_day
from renewals.commitments import (
    MIN_COMMITMENT,
    checked_anniversaries,
    commitment_check_due,
    due_reminder,
    term_end,
)
from renewals.level_emails import agreement_recipients, commitment_link, level_emails_queue
from renewals.levels import agreement_level, is_vip_select_code, lowest_level, ordinary_code
from renewals.models import AgreementLevel, Commitment, CommitmentPrice, Level, LevelChange
from renewals.pricing import commitment_code
from renewals.services.levels import agreement_level_set
from renewals.volume import qualifying_held

State = Commitment.State
Reason = LevelChange.Reason
RETURNED = "returned: 3-year commitment not renewed"


def _day(value: date) -> str:
    return format_day(value)


def _emails(commitment: Commitment, *, key: str, template: str, **context) -> int:
    agreement = commitment.agreement
    recipients = agreement_recipients([agreement.pk])[agreement.pk]
    return level_emails_queue(
        key=key,
        template=template,
        recipients=recipients,
        context={
            "agreement": agreement,
            "commitment": commitment,
            "link": commitment_link(agreement),
            **context,
        },
        about={"agreement": agreement.pk, "commitment": commitment.pk},
    )


# --- invitations -----------------------------------------------------------------------


def commitment_invitations_due():
    """N9: VIP agreements at VIP Select (an ordinary level 2–4) that were never invited:
    no commitment in any state (invited, active, completed, broken or declined)."""
    return (
        AgreementLevel.objects.filter(
            agreement__programme="VIP",
            vip_select_since__isnull=False,
            level__is_commitment=False,
        )
        .exclude(Exists(Commitment.objects.filter(agreement_id=OuterRef("agreement_id"))))
        .select_related("agreement", "level")
        .order_by("agreement_id")
    )


def commitment_invitations_send(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N9: invite each VIP Select customer by e-mail to commit for three years, once (the
    one-live-commitment constraint and the e-mail keys make a second run a no-op)."""
    summary = JobSummary()
    for state in commitment_invitations_due():
        if not is_vip_select_code(state.level.code):
            continue
        summary.add("invitations")
        if dry_run:
            summary.note(f"{state.agreement.number}: invited at level {state.level.code}")
            continue
        try:
            with transaction.atomic():
                commitment = Commitment.objects.create(
                    agreement=state.agreement,
                    state=State.INVITED,
                    invited_on=as_of,
                    level_before=state.level.code,
                )
                summary.add(
                    "emails",
                    _emails(
                        commitment,
                        key=f"commitment-invitation:{commitment.pk}",
                        template="commitment_invitation",
                        level=state.level,
                        minimum=max(
                            MIN_COMMITMENT,
                            qualifying_held(agreement_id=state.agreement_id, covered_on=as_of),
                        ),
                    ),
                )
        except IntegrityError:  # invited meanwhile by another run
            continue
    return summary


# --- acceptance --------------------------------------------------------------------------


def commitment_minimum(*, agreement: Agreement, as_of: date) -> int:
    """N9: the least a customer may commit to: 10, and at least the qualifying licences it
    holds now."""
    return max(MIN_COMMITMENT, qualifying_held(agreement_id=agreement.pk, covered_on=as_of))


def _prices_fix(commitment: Commitment, *, on: date, products=None) -> int:
    """Fix the catalogue's prices for the term (one row per product, once)."""
    products = Product.objects.all() if products is None else products
    rows = [
        CommitmentPrice(
            commitment=commitment,
            product_id=product.pk,
            list_price=product.list_price,
            annual_ss_price=product.annual_ss_price,
            fixed_on=on,
        )
        for product in products
    ]
    created = CommitmentPrice.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(created)


@transaction.atomic(durable=True)
def commitment_accept(
    *, commitment_id: int, quantity: int | None, actor: User, as_of: date
) -> Commitment:
    """N9: accept a three-year commitment to `quantity` qualifying licences (at least 10
    and at least the count held now). The commitment row is locked and its state re-checked
    under the lock, so two clicks accept once. Level 2/3/4 becomes 12/13/14; the catalogue's
    prices are fixed for the term, which ends at the third anniversary."""
    commitment = (
        Commitment.objects.select_for_update().select_related("agreement").get(pk=commitment_id)
    )
    if commitment.state == State.ACTIVE:
        raise ValidationError(
            _("This three-year commitment was already accepted on %(day)s.")
            % {"day": _day(commitment.accepted_on)}
        )
    if commitment.state != State.INVITED:
        raise ValidationError(
            _("This three-year commitment offer is closed (%(state)s).")
            % {"state": commitment.get_state_display()}
        )
    agreement = commitment.agreement
    level = agreement_level(agreement)
    if level.is_commitment or not is_vip_select_code(level.code):
        raise ValidationError(
            _("A three-year commitment needs VIP Select (level 2, 3 or 4); the level is %(level)s.")
            % {"level": level.name}
        )
    held = qualifying_held(agreement_id=agreement.pk, covered_on=as_of)
    if quantity is None or quantity < MIN_COMMITMENT:
        raise ValidationError(
            {
                "quantity": _("Commit to at least %(minimum)s licences.")
                % {"minimum": MIN_COMMITMENT}
            }
        )
    if quantity < held:
        raise ValidationError(
            {
                "quantity": _(
                    "You hold %(held)s qualifying licences now: commit to at least %(held)s."
                )
                % {"held": held}
            }
        )
    new_level = Level.objects.get(programme="VIP", code=commitment_code(level.code))
    with acting_as(actor):
        commitment.state = State.ACTIVE
        commitment.quantity = quantity
        commitment.accepted_on = as_of
        commitment.accepted_by = actor
        commitment.ends_on = term_end(as_of, agreement.anniversary_month)
        commitment.level_before = level.code
        commitment.save()
        _prices_fix(commitment, on=as_of)
        LevelChange.objects.create(
            agreement=agreement,
            key=f"commitment:{commitment.pk}",
            changed_on=as_of,
            old_code=level.code,
            new_code=new_level.code,
            reason=Reason.COMMITMENT,
            count=quantity,
        )
        agreement_level_set(agreement.pk, new_level, since=as_of, vip_select=True)
        _emails(
            commitment,
            key=f"commitment-accepted:{commitment.pk}",
            template="commitment_accepted",
            level=new_level,
            checked=checked_anniversaries(as_of, agreement.anniversary_month),
        )
    return commitment


@transaction.atomic(durable=True)
def commitment_decline(*, commitment_id: int, actor: User, as_of: date) -> Commitment:
    commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
    if commitment.state != State.INVITED:
        raise ValidationError(_("Only an open offer can be declined."))
    with acting_as(actor):
        commitment.state = State.DECLINED
        commitment.ended_on = as_of
        commitment.save(update_fields=["state", "ended_on"])
    return commitment


def commitment_prices_for_new_product(*, product: Product, on: date) -> int:
    """N9: a product added to the catalogue during a term is priced under the same terms:
    its first price is fixed for every active commitment."""
    rows = [
        CommitmentPrice(
            commitment_id=commitment_id,
            product_id=product.pk,
            list_price=product.list_price,
            annual_ss_price=product.annual_ss_price,
            fixed_on=on,
        )
        for commitment_id in Commitment.objects.filter(state=State.ACTIVE).values_list(
            "pk", flat=True
        )
    ]
    return len(CommitmentPrice.objects.bulk_create(rows, ignore_conflicts=True))


# --- reminders ---------------------------------------------------------------------------


def commitment_reminders_send(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N9: before each anniversary the committed quantity must be renewed by (60 and 30 days
    before), the customer and the account manager are reminded; once each (keys
    `commitment-reminder:<id>:<A>:<days>`)."""
    summary = JobSummary()
    for commitment in Commitment.objects.filter(
        state=State.ACTIVE, ends_on__gte=as_of
    ).select_related("agreement"):
        anniversaries = checked_anniversaries(
            commitment.accepted_on, commitment.agreement.anniversary_month
        )
        due = due_reminder(as_of=as_of, anniversaries=anniversaries)
        if due is None:
            continue
        anniversary, days = due
        key = f"commitment-reminder:{commitment.pk}:{anniversary.isoformat()}:{days}"
        if dry_run:
            summary.add("reminders")
            summary.note(f"{commitment.agreement.number}: {days} days before {anniversary}")
            continue
        with transaction.atomic():
            sent = _emails(
                commitment,
                key=key,
                template="commitment_reminder",
                anniversary=anniversary,
                days=days,
                held=qualifying_held(
                    agreement_id=commitment.agreement_id, covered_on=anniversary + timedelta(1)
                ),
            )
        if sent:
            summary.add("reminders")
            summary.add("emails", sent)
    return summary


# --- enforcement and completion ----------------------------------------------------------


def _bought_under(commitment: Commitment, *, through: date):
    """N9: the licences bought at 3YC prices: entitlements of the agreement's sites from
    orders placed during the term (portal or staff orders, priced through
    licensing.pricing_hooks under the commitment), still held."""
    return Entitlement.objects.filter(
        site__agreement_id=commitment.agreement_id,
        quantity__gt=0,
        order_line__order__ordered_on__gte=commitment.accepted_on,
        order_line__order__ordered_on__lte=through,
        order_line__order__source__in=(Order.Source.PORTAL, Order.Source.ADMIN),
    )


def _break(commitment: Commitment, *, anniversary: date, held: int, as_of: date) -> int:
    """Return the licences bought at 3YC prices (quantity to 0, an event each; the coverage
    history stays), level 1, VIP Select no longer kept, the commitment broken."""
    returned = list(_bought_under(commitment, through=anniversary).select_for_update())
    EntitlementEvent.objects.bulk_create(
        [
            EntitlementEvent(
                entitlement=entitlement,
                happened_on=as_of,
                quantity_change=-entitlement.quantity,
                description=RETURNED,
            )
            for entitlement in returned
        ]
    )
    Entitlement.objects.filter(pk__in=[e.pk for e in returned]).update(quantity=0)
    agreement = commitment.agreement
    old = agreement_level(agreement)
    floor = lowest_level("VIP")
    LevelChange.objects.create(
        agreement=agreement,
        key=f"commitment-broken:{commitment.pk}",
        changed_on=as_of,
        old_code=old.code,
        new_code=floor.code,
        reason=Reason.COMMITMENT_BROKEN,
        count=held,
    )
    agreement_level_set(agreement.pk, floor, since=as_of, vip_select=False)
    commitment.state = State.BROKEN
    commitment.ended_on = as_of
    commitment.checked_through = anniversary
    commitment.save(update_fields=["state", "ended_on", "checked_through"])
    return _emails(
        commitment,
        key=f"commitment-broken:{commitment.pk}",
        template="commitment_broken",
        anniversary=anniversary,
        held=held,
        returned=sum(e.quantity for e in returned),
        old_level=old,
        new_level=floor,
    )


def _complete(commitment: Commitment, *, as_of: date) -> None:
    """The term is over: completed; a 3YC level goes back to its VIP Select level."""
    agreement = commitment.agreement
    level = agreement_level(agreement)
    if level.is_commitment:
        ordinary = Level.objects.get(programme="VIP", code=ordinary_code(level.code))
        LevelChange.objects.create(
            agreement=agreement,
            key=f"commitment-completed:{commitment.pk}",
            changed_on=as_of,
            old_code=level.code,
            new_code=ordinary.code,
            reason=Reason.COMMITMENT_COMPLETED,
            count=commitment.quantity or 0,
        )
        agreement_level_set(agreement.pk, ordinary, since=as_of)
    commitment.state = State.COMPLETED
    commitment.ended_on = as_of
    commitment.save(update_fields=["state", "ended_on"])


def commitments_enforce(*, as_of: date, dry_run: bool = False) -> JobSummary:
    """N9: after each checked anniversary of a term, count the qualifying licences covered
    past it; fewer than committed breaks the commitment. Buying above the commitment never
    raises it (the committed quantity is what is checked). After the term's last anniversary
    the commitment is completed. Each commitment in its own transaction, row locked."""
    summary = JobSummary()
    for commitment in Commitment.objects.filter(state=State.ACTIVE).select_related("agreement"):
        month = commitment.agreement.anniversary_month
        anniversary = commitment_check_due(
            as_of=as_of,
            anniversaries=checked_anniversaries(commitment.accepted_on, month),
            checked_through=commitment.checked_through,
        )
        completes = anniversary is None and commitment.ends_on < as_of
        if anniversary is None and not completes:
            continue
        held = 0
        if anniversary is not None:
            held = qualifying_held(
                agreement_id=commitment.agreement_id, covered_on=anniversary + timedelta(days=1)
            )
        if dry_run:
            if completes:
                summary.add("completed")
            elif held < commitment.quantity:
                summary.add("broken")
                summary.note(
                    f"{commitment.agreement.number}: {held} of {commitment.quantity} renewed"
                )
            else:
                summary.add("kept")
            continue
        with transaction.atomic():
            locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
            if locked.state != State.ACTIVE or locked.checked_through != commitment.checked_through:
                continue
            locked.agreement = commitment.agreement
            if completes:
                _complete(locked, as_of=as_of)
                summary.add("completed")
            elif held < locked.quantity:
                summary.add(
                    "emails", _break(locked, anniversary=anniversary, held=held, as_of=as_of)
                )
                summary.add("broken")
            else:
                locked.checked_through = anniversary
                locked.save(update_fields=["checked_through"])
                summary.add("kept")
    return summary
