"""L6: what checking a file needs — the sites the import may write to and the catalogue —
loaded once, a query per table, never per row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Site
from licensing.models import Edition, Product, Version


@dataclass
class ImportContext:
    sites: dict[str, Site]  # the sites the import may write to, by number
    default_site: Site | None
    products_by_part: dict[str, Product]
    products_by_name: dict[str, list[Product]]
    editions: dict[tuple[int, str], Edition]
    versions: dict[tuple[int, str], Version]
    as_of: date  # today: an order date after it is refused
    file_format: str = ""  # empty: detect from the header


def import_context(
    *,
    sites: QuerySet[Site],
    as_of: date,
    site: Site | None = None,
    file_format: str = "",
) -> ImportContext:
    """Load the scope's sites (a scoped selector: licensing.selectors.import_sites_for_user)
    and the catalogue into dicts: a query per table, never per row."""
    sites = {item.number: item for item in sites}
    default_site = None
    if site is not None:
        default_site = sites.get(site.number)
        if default_site is None:
            raise ValidationError(_("Unknown site %(number)s.") % {"number": site.number})
    products_by_part: dict[str, Product] = {}
    products_by_name: dict[str, list[Product]] = {}
    for product in Product.objects.all():
        products_by_part[product.part_number.casefold()] = product
        products_by_name.setdefault(product.name.strip().casefold(), []).append(product)
    return ImportContext(
        sites=sites,
        default_site=default_site,
        products_by_part=products_by_part,
        products_by_name=products_by_name,
        editions={(e.product_id, e.name.casefold()): e for e in Edition.objects.all()},
        versions={(v.product_id, v.version.casefold()): v for v in Version.objects.all()},
        as_of=as_of,
        file_format=file_format,
    )
