"""Writes for quotes (N4, N6): issue (a revision supersedes), the reseller's price, send,
accept (one durable transaction), decline, expire.

Accepting is race-free by construction (STYLE: request → decision flows): the quote row is
locked, its state re-checked under the lock, and the entitlements it extends are locked in
primary-key order and re-checked (not renewed meanwhile by another quote)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from licensing import services as licensing_services
from licensing.models import Order, OrderLine
from licensing.poe import poe_issue
from portal.core.audit import acting_as
from portal.core.formatting import format_day
from portal.core.money import money
from renewals.emails import quote_accepted_emails_queue, quote_issued_emails_queue
from renewals.kinds import QuoteDraft, applier_for
from renewals.models import Quote, QuoteLine, new_quote_number
from renewals.pricing import adjustment_error, reseller_adjusted
from renewals.signals import quote_accepted

State = Quote.State


def _day(value: date) -> str:
    return format_day(value)


def _unused_quote_number(as_of: date) -> str:
    """A quote number no quote has yet. The random part has 16.7 million values a day, and the
    busiest notice day of a large estate issues thousands of quotes on one date: by the
    birthday bound two of 5,000 share a number about one time in two, and the unique
    constraint failed the whole job (`make bench`, the busiest-day benchmark). A number
    already taken is drawn again. Two transactions drawing the same unused number at the same
    moment remain possible in principle (odds about one in 16 million); the unique
    constraint refuses the second."""
    while True:
        number = new_quote_number(as_of)
        if not Quote.objects.filter(number=number).exists():
            return number


def quote_issue(
    *, draft: QuoteDraft, as_of: date, now: datetime, actor: User | None = None
) -> Quote:
    """Write a quote from its draft (not atomic on its own: callers hold the transaction, so
    a job issues each quote with its e-mails in one). A live quote of the same series is
    superseded by this one, a revision (N4). A quote for a reseller's client waits for the
    reseller's price (draft) unless the quote it revises was already sent with one."""
    previous = (
        Quote.objects.select_for_update()
        .filter(series_key=draft.series_key, state__in=(State.DRAFT, State.OPEN))
        .first()
    )
    last_revision = Quote.objects.filter(series_key=draft.series_key).aggregate(
        last=Max("revision")
    )["last"]
    adjustment = None
    state = State.OPEN
    if draft.reseller_id is not None:
        state = State.DRAFT
        if previous is not None and previous.sent_at is not None:
            adjustment = previous.reseller_adjustment_percent
            state = State.OPEN
    with acting_as(actor):
        if previous is not None:
            previous.state = State.SUPERSEDED
            previous.save(update_fields=["state"])
        quote = Quote.objects.create(
            number=_unused_quote_number(as_of),
            kind=draft.kind,
            notice=draft.notice,
            agreement_id=draft.agreement_id,
            reseller_id=draft.reseller_id,
            site_id=draft.site_id,
            series_key=draft.series_key,
            revision=0 if last_revision is None else last_revision + 1,
            supersedes=previous,
            state=state,
            issued_on=as_of,
            valid_until=draft.valid_until,
            renews_to=draft.renews_to,
            currency=draft.currency,
            level_code=draft.level_code,
            discount_percent=draft.discount_percent,
            reseller_adjustment_percent=adjustment,
            commitment_warning=draft.commitment_warning[:300],
            subject=draft.subject,
            sent_at=now if state == State.OPEN else None,
            vendor_total=money(
                sum((line.amount for line in draft.lines if not line.is_optional), Decimal(0))
            ),
        )
        QuoteLine.objects.bulk_create(
            [
                QuoteLine(
                    quote=quote,
                    position=position,
                    is_selected=not line.is_optional,
                    client_unit_price=reseller_adjusted(line.unit_price, adjustment)
                    if adjustment is not None
                    else None,
                    client_amount=reseller_adjusted(line.amount, adjustment)
                    if adjustment is not None
                    else None,
                    **line.__dict__,
                )
                for position, line in enumerate(draft.lines)
            ],
            batch_size=500,
        )
        quote_issued_emails_queue(quote)
    return quote


# --- the reseller's price (N6) -------------------------------------------------------------


def _lock_live(quote_id: int) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote_id)


def _refuse_unless_live(quote: Quote, as_of: date) -> None:
    """The reasons a quote cannot be acted on, in words a person can act on."""
    match quote.state:
        case State.ACCEPTED:
            raise ValidationError(
                _("Quote %(number)s was already accepted on %(day)s.")
                % {"number": quote.number, "day": _day(quote.decided_at.date())}
            )
        case State.SUPERSEDED:
            newer = Quote.objects.filter(series_key=quote.series_key).order_by("-revision").first()
            raise ValidationError(
                _("Quote %(number)s was replaced by a revision, %(newer)s: use the newer quote.")
                % {"number": quote.number, "newer": newer.number if newer else "?"}
            )
        case State.DECLINED:
            raise ValidationError(
                _("Quote %(number)s was declined. Ask for a new quote.") % {"number": quote.number}
            )
        case State.EXPIRED:
            raise ValidationError(_quote_expired_message(quote))
    if quote.valid_until < as_of:
        raise ValidationError(_quote_expired_message(quote))


def _quote_expired_message(quote: Quote) -> str:
    return _("Quote %(number)s expired on %(day)s. Ask for a new quote.") % {
        "number": quote.number,
        "day": _day(quote.valid_until),
    }


def _apply_adjustment(quote: Quote, adjustment: Decimal) -> None:
    lines = list(quote.lines.all())
    for line in lines:
        line.client_unit_price = reseller_adjusted(line.unit_price, adjustment)
        line.client_amount = reseller_adjusted(line.amount, adjustment)
    QuoteLine.objects.bulk_update(lines, ["client_unit_price", "client_amount"], batch_size=500)


def adjustment_check(adjustment: Decimal) -> None:
    """N6: the bounds of a reseller's price, with the message the form shows."""
    match adjustment_error(adjustment):
        case "below_zero":
            raise ValidationError(
                {"adjustment": _("A price cannot be below zero: the lowest adjustment is −100 %.")}
            )
        case "above_bound":
            raise ValidationError(
                {
                    "adjustment": _(
                        "At most +100 % above the vendor's price. Ask the vendor for a quote "
                        "if you need more."
                    )
                }
            )


@transaction.atomic(durable=True)
def quote_price_set(
    *, quote_id: int, adjustment: Decimal, actor: User, as_of: date, send: bool, now: datetime
) -> Quote:
    """N6: the reseller sets its client's price as an adjustment of the vendor's price; with
    `send` the quote goes to the client (open, e-mailed). A sent quote's price is fixed."""
    adjustment_check(adjustment)
    quote = _lock_live(quote_id)
    _refuse_unless_live(quote, as_of)
    if quote.sent_at is not None:
        raise ValidationError(
            _("Quote %(number)s was already sent to the client on %(day)s; its price is fixed.")
            % {"number": quote.number, "day": _day(quote.sent_at.date())}
        )
    with acting_as(actor):
        quote.reseller_adjustment_percent = adjustment
        _apply_adjustment(quote, adjustment)
        fields = ["reseller_adjustment_percent"]
        if send:
            quote.state = State.OPEN
            quote.sent_at = now
            fields += ["state", "sent_at"]
        quote.save(update_fields=fields)
        if send:
            quote_issued_emails_queue(quote)
    return quote


# --- accept and decline (N6) ----------------------------------------------------------------


def _chosen_lines(lines: list[QuoteLine], chosen_ids: set[int] | None) -> list[QuoteLine]:
    """Every required line, and the optional co-term lines the customer chose (N1). S&S covers
    every licence of a product at a site or none, so optional lines are chosen together."""
    chosen_ids = set(chosen_ids or ())
    groups: dict[tuple[int, int], list[QuoteLine]] = defaultdict(list)
    for line in lines:
        if line.is_optional:
            groups[(line.site_id, line.product_id)].append(line)
    for group in groups.values():
        picked = {line.pk in chosen_ids for line in group}
        if len(picked) > 1:
            raise ValidationError(
                _(
                    "S&S covers every licence of %(product)s at site %(site)s or none of them: "
                    "choose all of its co-term lines or none."
                )
                % {"product": group[0].product.name, "site": group[0].site.number}
            )
    return [line for line in lines if not line.is_optional or line.pk in chosen_ids]


def _check_line_still_applies(line: QuoteLine, entitlement) -> None:
    if line.action == QuoteLine.Action.EXTEND and entitlement.coverage_end >= line.covers_to:
        raise ValidationError(
            _("%(product)s (%(poe)s) is already covered to %(day)s: ask for a new quote.")
            % {
                "product": line.product.name,
                "poe": entitlement.poe_number,
                "day": _day(entitlement.coverage_end),
            }
        )
    if entitlement.quantity < 1:
        raise ValidationError(
            _("No licences of %(poe)s are left at site %(site)s: ask for a new quote.")
            % {"poe": entitlement.poe_number, "site": line.site.number}
        )


@transaction.atomic(durable=True)
def quote_accept(
    *, quote_id: int, actor: User, as_of: date, now: datetime, chosen_ids: set[int] | None = None
) -> Quote:
    """N6: accept once. Lock the quote, refuse an expired, superseded, declined or accepted one,
    write one order per site for the chosen lines, apply each line (extend, reinstate, upgrade,
    edition change), issue the updated PoE per order, queue the e-mails."""
    quote = _lock_live(quote_id)
    _refuse_unless_live(quote, as_of)
    if quote.state == State.DRAFT:
        raise ValidationError(
            _("Quote %(number)s is waiting for your reseller's price and cannot be accepted yet.")
            % {"number": quote.number}
        )
    lines = list(
        quote.lines.select_related("site", "product").order_by("site__number", "position", "pk")
    )
    chosen = _chosen_lines(lines, chosen_ids)
    if not chosen:
        raise ValidationError(_("Choose at least one line to accept."))
    entitlements = licensing_services.lock_entitlements(
        line.entitlement_id for line in chosen if line.entitlement_id
    )
    for line in chosen:
        if line.entitlement_id:
            _check_line_still_applies(line, entitlements[line.entitlement_id])
    with acting_as(actor):
        orders: dict[int, Order] = {}
        for line in chosen:
            order = orders.get(line.site_id)
            if order is None:
                order = orders[line.site_id] = Order.objects.create(
                    number=f"ORD-{quote.number}-{len(orders) + 1}",
                    site=line.site,
                    ordered_on=as_of,
                    reseller_id=quote.reseller_id,
                    source=Order.Source.QUOTE,
                    currency=quote.currency,
                    created_by=actor,
                )
            line.order_line = OrderLine.objects.create(
                order=order,
                product=line.product,
                edition_id=line.target_edition_id or line.edition_id,
                version_id=line.target_version_id or line.version_id,
                quantity=line.quantity,
                unit_price=line.customer_unit_price,
                applies_to_id=line.entitlement_id,
            )
            entitlement = entitlements.get(line.entitlement_id)
            applier_for(line.action)(line=line, entitlement=entitlement, accepted_on=as_of)
        for line in lines:
            line.is_selected = line in chosen
        QuoteLine.objects.bulk_update(lines, ["is_selected", "order_line"], batch_size=500)
        quote.state = State.ACCEPTED
        quote.decided_at = now
        quote.decided_by = actor
        quote.save(update_fields=["state", "decided_at", "decided_by"])
        for order in orders.values():
            poe_issue(site=order.site, order=order, actor=actor, as_of=as_of)
        quote_accepted.send(sender=Quote, quote=quote, lines=chosen, as_of=as_of)
        quote_accepted_emails_queue(quote)
    return quote


@transaction.atomic(durable=True)
def quote_decline(
    *, quote_id: int, actor: User, as_of: date, now: datetime, reason: str = ""
) -> Quote:
    quote = _lock_live(quote_id)
    _refuse_unless_live(quote, as_of)
    with acting_as(actor):
        quote.state = State.DECLINED
        quote.decided_at = now
        quote.decided_by = actor
        quote.decline_reason = reason[:300]
        quote.save(update_fields=["state", "decided_at", "decided_by", "decline_reason"])
    return quote


def quotes_expired_due(*, as_of: date):
    """Live quotes whose validity ended before `as_of`."""
    return Quote.objects.live().filter(valid_until__lt=as_of)


def quotes_expire(*, as_of: date) -> int:
    """Mark expired quotes (one UPDATE: a set-based job, safe to run twice)."""
    return quotes_expired_due(as_of=as_of).update(state=State.EXPIRED)


def quote_orders(quote: Quote):
    """The orders accepting `quote` wrote (one per site)."""
    return Order.objects.filter(lines__quote_line__quote=quote).distinct().order_by("number")
