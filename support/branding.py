"""S8: a certified service partner's name, logo and colours brand its clients' pages and
e-mails (and its own users' pages).

Whose pages carry a brand (brand_for_user):
- a reseller user's: their own organisation's, when it is a certified service partner that
  set a brand name;
- a customer user's: the partner's, when *every* site the user belongs to is managed by that
  one branded partner. A user whose sites are managed by several resellers, or partly bought
  direct, sees the plain Entitle brand: a page is never branded with a partner that does not
  support everything the user sees there;
- staff and anonymous visitors: never (None).

Colours stay readable (WCAG AA, 4.5:1 for text): the brand's primary colour is used raw only
as a background, with white or dark text chosen from its luminance (text_on); where the colour
itself is text on the white page (links, outline buttons) a darkened shade that passes on white
is used instead (accent_on_light). The secondary colour is only ever a decorative border."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from accounts.models import Organisation, Site
from accounts.selectors import sites_for_user

AA_TEXT = 4.5
WHITE = "#ffffff"
DARK = "#212529"  # Bootstrap's body text colour
BLACK = "#000000"
LIGHT_BACKGROUND = "#e2e3e5"  # Bootstrap's alert-secondary: the darkest light background
# Bootstrap's menu-button icon, drawn in the dark text colour (for dark text on a light bar).
DARK_TOGGLER_ICON = (
    "url(\"data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 30 30'%3e"
    "%3cpath stroke='rgba%2833, 37, 41, 0.9%29' stroke-linecap='round' stroke-miterlimit='10' "
    "stroke-width='2' d='M4 7h22M4 15h22M4 23h22'/%3e%3c/svg%3e\")"
)


# --- colour maths (pure) ----------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0, min(255, channel))):02x}" for channel in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """White or dark text on `background`, whichever contrasts more; black where neither
    reaches AA (mid greys: one of white and black always reaches 4.5:1)."""
    white, dark = contrast_ratio(background, WHITE), contrast_ratio(background, DARK)
    if max(white, dark) >= AA_TEXT:
        return WHITE if white >= dark else DARK
    return WHITE if white >= AA_TEXT else BLACK


def shade(colour: str, amount: float) -> str:
    """`colour` mixed with black by `amount` (0..1)."""
    return _hex(tuple(channel * (1 - amount) for channel in _rgb(colour)))


def accent_on_light(colour: str) -> str:
    """`colour`, darkened just enough to be AA text on the page's light backgrounds (white,
    the grey page, tinted alerts: LIGHT_BACKGROUND is the darkest of them), and so to carry
    white text."""
    amount = 0.0
    candidate = colour
    while contrast_ratio(candidate, LIGHT_BACKGROUND) < AA_TEXT and amount < 1:
        amount = min(1.0, amount + 0.05)
        candidate = shade(colour, amount)
    return candidate


# --- the brand --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    name: str
    logo_url: str  # "" without a logo
    primary: str  # "#RRGGBB" or ""
    secondary: str
    partner_id: int
    style_url: str = field(default="", compare=False)  # the brand's stylesheet (pages)

    @property
    def on_primary(self) -> str:
        """The text colour on the primary colour (white or dark, AA)."""
        return text_on(self.primary) if self.primary else WHITE

    @property
    def accent(self) -> str:
        """The primary colour where it is text on white: darkened if it must be (AA)."""
        return accent_on_light(self.primary) if self.primary else ""

    @property
    def has_dark_text(self) -> bool:
        return self.on_primary != WHITE

    def css_variables(self) -> dict[str, str]:
        """The custom properties the brand's stylesheet sets (static/css/portal.css reads
        them, falling back to Entitle's own colours); empty without a primary colour."""
        if not self.primary:
            return {}
        accent = self.accent
        hover = shade(self.primary, 0.15)
        active = shade(self.primary, 0.25)
        red, green, blue = _rgb(accent)
        dark_red, dark_green, dark_blue = _rgb(shade(accent, 0.3))
        return {
            # Text-on-white uses of the colour (links, outline buttons, focus rings).
            "--entitle-blue": accent,
            "--entitle-blue-dark": shade(accent, 0.15),
            "--entitle-blue-darker": shade(accent, 0.3),
            "--entitle-focus": accent,
            "--bs-primary-rgb": f"{red}, {green}, {blue}",
            "--bs-link-color": accent,
            "--bs-link-color-rgb": f"{red}, {green}, {blue}",
            "--bs-link-hover-color": shade(accent, 0.3),
            "--bs-link-hover-color-rgb": f"{dark_red}, {dark_green}, {dark_blue}",
            # Background uses: the raw colour with the text colour chosen for it.
            "--brand-primary": self.primary,
            "--brand-on-primary": self.on_primary,
            "--brand-primary-hover": hover,
            "--brand-on-primary-hover": text_on(hover),
            "--brand-primary-active": active,
            "--brand-on-primary-active": text_on(active),
            "--brand-secondary": self.secondary or self.primary,
        }

    def stylesheet(self) -> str:
        """The brand's CSS (served by support:brand_style: the production CSP allows no
        inline styles)."""
        variables = self.css_variables()
        if not variables:
            return ""
        lines = [":root {", *(f"    {name}: {value};" for name, value in variables.items()), "}"]
        if self.has_dark_text:
            # Dark text on a light bar: the menu button's icon and border turn dark too.
            lines += [".navbar {", f"    --bs-navbar-toggler-icon-bg: {DARK_TOGGLER_ICON};", "}"]
            lines.append(".navbar-toggler { border-color: rgba(33, 37, 41, .8); }")
        return "\n".join(lines) + "\n"

    @property
    def version(self) -> str:
        """Changes when the colours or the logo change (cache-busting query string)."""
        seed = f"{self.primary}{self.secondary}{self.logo_url}{self.name}"
        return hashlib.sha256(seed.encode()).hexdigest()[:10]


def logo_signature(partner_id: int) -> str:
    return signing.Signer(salt="support.brand_logo").signature(str(partner_id))


def logo_signature_valid(partner_id: int, signature: str) -> bool:
    return bool(signature) and constant_time_compare(signature, logo_signature(partner_id))


def is_branded_partner(partner: Organisation | None) -> bool:
    return bool(partner and partner.is_certified_service_partner and partner.brand_name)


def brand_of(partner: Organisation | None, *, absolute: bool = False) -> Brand | None:
    """The brand of a certified service partner that set a brand name (else None)."""
    if not is_branded_partner(partner):
        return None
    logo = ""
    if partner.brand_logo:
        logo = reverse("support:brand_logo", kwargs={"partner_id": partner.pk})
        if absolute:
            # E-mail clients fetch images without the reader's session: the e-mails' link
            # carries a signature that lets it through without signing in (only this logo).
            logo = f"{settings.SITE_URL}{logo}?sig={logo_signature(partner.pk)}"
    style = ""
    if partner.brand_primary_colour:
        style = reverse("support:brand_style", kwargs={"partner_id": partner.pk})
    return Brand(
        name=partner.brand_name,
        logo_url=logo,
        primary=partner.brand_primary_colour,
        secondary=partner.brand_secondary_colour,
        partner_id=partner.pk,
        style_url=style,
    )


def brand_for_site(site: Site, *, absolute: bool = False) -> Brand | None:
    return brand_of(site.reseller, absolute=absolute) if site.reseller_id else None


def _branded_partners():
    return Organisation.objects.filter(
        kind=Organisation.Kind.RESELLER, is_certified_service_partner=True
    ).exclude(brand_name="")


def branded_partner_get(*, partner_id: int) -> Organisation | None:
    """A certified service partner with a brand name, by id (None otherwise)."""
    return _branded_partners().filter(pk=partner_id).first()


def _user_partner(user) -> Organisation | None:
    if not user.is_authenticated or not user.is_active or user.is_staff:
        return None
    if user.reseller_id:
        return user.reseller  # one query at most (often already loaded by the page)
    # A customer user: the branded partner managing one of their sites, provided it manages
    # all of them (none direct, none with another reseller). One query.
    mine = sites_for_user(user)
    return (
        _branded_partners()
        .filter(Exists(mine.filter(reseller_id=OuterRef("pk"))))
        .exclude(Exists(mine.exclude(reseller_id=OuterRef("pk"))))
        .order_by()
        .first()
    )


BRAND_SESSION_KEY = "support.brand"
BRAND_SESSION_SECONDS = 5 * 60  # a change of brand (or of a user's sites) shows within this


def brand_for_user(user) -> Brand | None:
    """S8: the brand of the pages `user` sees (see the module docstring), memoised on the
    user object for the request: at most two queries, never per row."""
    if user is None:
        return None
    user.is_authenticated  # noqa: B018 (sets up request.user's lazy wrapper)
    target = getattr(user, "_wrapped", user)
    memo = target.__dict__
    if "_support_brand" not in memo:
        memo["_support_brand"] = brand_of(_user_partner(target))
    return memo["_support_brand"]


def brand_for_request(request) -> Brand | None:
    """The brand of the page, kept in the session for a few minutes (the session is read and
    saved on every request anyway): most pages pay no query for it, and none per row."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return brand_for_user(user)
    kept = session.get(BRAND_SESSION_KEY)
    now = time.time()
    if (
        isinstance(kept, dict)
        and kept.get("user") == user.pk
        and 0 <= now - kept.get("at", 0) < BRAND_SESSION_SECONDS
    ):
        try:
            return Brand(**kept["brand"]) if kept.get("brand") else None
        except TypeError:  # kept by an earlier release with other fields: look it up again
            pass
    brand = brand_for_user(user)
    session[BRAND_SESSION_KEY] = {
        "user": user.pk,
        "at": now,
        "brand": asdict(brand) if brand else None,
    }
    return brand
