"""Who may open a ticket where, and for what (S2, S3, S8), with the reason when not.

Pure reads: the ticket service asks these again inside its transaction, and the new-ticket
page asks them to offer only what can be chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Site
from accounts.selectors import Role, site_roles_for_user
from licensing.models import Entitlement, Product
from portal.core.formatting import format_day
from support import rules


@dataclass(frozen=True)
class Refusal:
    """Why something cannot be done; `reinstate_entitlement_id` names the lapsed entitlement
    whose reinstatement quote the refusal links to (S3, N5)."""

    message: str
    reinstate_entitlement_id: int | None = None

    def __str__(self) -> str:
        return self.message


def covered_on(day: date) -> Q:
    """S3: S&S (support, for hardware) covers the day."""
    return Q(coverage_start__lte=day, coverage_end__gte=day, quantity__gt=0)


def uncovered_hardware(site: Site, *, as_of: date) -> QuerySet[Entitlement]:
    """S8: the site's hardware whose support does not cover `as_of` (a partner-branded site
    must have all of it covered)."""
    return (
        Entitlement.objects.filter(site=site, product__kind=Product.Kind.HARDWARE, quantity__gt=0)
        .exclude(coverage_start__lte=as_of, coverage_end__gte=as_of)
        .select_related("product")
        .order_by("product__name", "pk")
    )


def is_partner_branded(site: Site) -> bool:
    """S8: a site whose account manager is a certified service partner."""
    return bool(site.reseller_id and site.reseller.is_certified_service_partner)


def partner_refusal(site: Site, *, as_of: date) -> Refusal | None:
    """S8: a partner-branded site with uncovered hardware gets no tickets until it is
    covered (seed 003: the partner may refuse support if not all products are included)."""
    if not is_partner_branded(site):
        return None
    missing = list(uncovered_hardware(site, as_of=as_of)[:6])
    if not missing:
        return None
    names = ", ".join(f"{line.product.name} ({line.poe_number})" for line in missing[:5])
    if len(missing) > 5:
        names += ", …"
    return Refusal(
        _(
            "Site %(site)s is supported by %(partner)s, whose support must cover all of the "
            "site's hardware. Not covered today: %(names)s. Renew or reinstate their support "
            "to open tickets (S8)."
        )
        % {
            "site": site.number,
            "partner": site.reseller.brand_name or site.reseller.name,
            "names": names,
        },
        reinstate_entitlement_id=missing[0].pk if missing[0].coverage_end < as_of else None,
    )


def opener_refusal(user, site: Site) -> Refusal | None:
    """S2: who may open a ticket at this site."""
    if rules.can_open_ticket(user, site):
        return None
    roles = site_roles_for_user(user=user, site=site)
    if Role.RESELLER in roles:
        return Refusal(
            _(
                "%(reseller)s manages site %(site)s but is not a certified service partner, "
                "so it cannot open tickets for it (S2). The site's technical contacts can."
            )
            % {"reseller": site.reseller.name, "site": site.number}
        )
    return Refusal(
        _(
            "Only the site's primary contact, its site technical contacts (STCs) and its "
            "authorized technical callers may open tickets (S2). Ask an STC of site "
            "%(site)s to name you an authorized technical caller."
        )
        % {"site": site.number}
    )


def site_refusal(user, site: Site, *, as_of: date) -> Refusal | None:
    """S2 then S8: whether `user` may open any ticket at `site` on `as_of`."""
    return opener_refusal(user, site) or partner_refusal(site, as_of=as_of)


def site_products(site: Site, *, as_of: date) -> tuple[list[Entitlement], list[Entitlement]]:
    """S3: one entitlement per product held at the site: (covered, not covered on `as_of`).
    A product counts as covered when any of its lines is; the ticket names the covered line
    whose coverage runs longest."""
    lines = (
        Entitlement.objects.filter(site=site, quantity__gt=0)
        .select_related("product")
        .order_by("product__name", "product_id", "-coverage_end", "pk")
    )
    best: dict[int, Entitlement] = {}
    for line in lines:
        held = best.get(line.product_id)
        if held is None or (not held.is_covered_on(as_of) and line.is_covered_on(as_of)):
            best[line.product_id] = line
    covered = [line for line in best.values() if line.is_covered_on(as_of)]
    uncovered = [line for line in best.values() if not line.is_covered_on(as_of)]
    return covered, uncovered


def entitlement_refusal(
    site: Site, product_id: int, *, as_of: date
) -> tuple[Entitlement | None, Refusal | None]:
    """S3: the covered entitlement a ticket about `product_id` at `site` names, or why there
    is none (lapsed: with the reinstatement link; not held: plainly)."""
    covered, uncovered = site_products(site, as_of=as_of)
    for line in covered:
        if line.product_id == product_id:
            return line, None
    for line in uncovered:
        if line.product_id == product_id:
            if line.coverage_start > as_of:
                return None, Refusal(
                    _("Support for %(product)s at site %(site)s starts on %(day)s.")
                    % {
                        "product": line.product.name,
                        "site": site.number,
                        "day": format_day(line.coverage_start),
                    }
                )
            return None, Refusal(
                _(
                    "Support for %(product)s at site %(site)s lapsed on %(day)s, so a ticket "
                    "cannot be opened for it (S3). Reinstate its S&S to get support again."
                )
                % {
                    "product": line.product.name,
                    "site": site.number,
                    "day": format_day(line.coverage_end),
                },
                reinstate_entitlement_id=line.pk,
            )
    return None, Refusal(
        _("Site %(site)s holds no licences of that product, so it has no support for it.")
        % {"site": site.number}
    )
