"""Charts where people would rather look than read (issue #8, Pages): server-side SVG, no
JavaScript library, no network. Pure: plain values in, markup out, so the page, an e-mail or a
PDF can show the same chart and the tests need no database.

A chart is an <svg role="img"> named by its aria-label, followed by a table with the same
figures (the text alternative, also what a screen reader or a printout without graphics
reads). The SVG scales to its container through its viewBox: twelve bars stay readable on a
390 px wide phone (the labels are short month names, the amounts live in the table)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.core.formatting import format_money

# The drawing's own coordinates; the browser scales them to the width it has.
WIDTH = 360
HEIGHT = 200
TOP = 20  # room for the largest amount above the tallest bar
BOTTOM = 24  # room for the month labels
LEFT = 4
RIGHT = 4
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def bar_heights(values: Sequence[Decimal], *, plot_height: float = PLOT_HEIGHT) -> list[float]:
    """Each bar's height, proportional to its value, the largest filling `plot_height`.
    Nothing to show (no values, or all zero) gives zero heights; negative values draw none."""
    largest = max((value for value in values if value > 0), default=Decimal(0))
    if largest <= 0:
        return [0.0 for _value in values]
    scale = Decimal(str(plot_height)) / largest
    return [round(float(max(value, Decimal(0)) * scale), 2) for value in values]


def bar_chart_svg(
    data: Sequence[tuple[str, Decimal]],
    currency: str,
    *,
    title: str,
    caption: str = "",
    short_labels: Sequence[str] | None = None,
) -> SafeString:
    """A bar chart of `data` ([(label, amount)], in order) in `currency`, with its table.
    `short_labels` (one per bar, e.g. "Mar" for "March 2026") go under the bars where the
    full labels would not fit; the table and the bars' tooltips keep the full labels. Every
    label, the title and the caption are escaped (they may hold tenant names)."""
    if short_labels is None:
        short_labels = [text for text, _amount in data]
    values = [Decimal(amount or 0) for _label, amount in data]
    heights = bar_heights(values)
    count = max(len(data), 1)
    slot = (WIDTH - LEFT - RIGHT) / count
    bar_width = round(slot * 0.7, 2)
    total = sum(values, Decimal(0))
    label = _("%(title)s. Total %(total)s.") % {
        "title": title,
        "total": format_money(total, currency),
    }
    bars = []
    for index, ((text, amount), height, short) in enumerate(
        zip(data, heights, short_labels, strict=True)
    ):
        x = round(LEFT + slot * index + (slot - bar_width) / 2, 2)
        centre = round(LEFT + slot * index + slot / 2, 2)
        y = round(TOP + PLOT_HEIGHT - height, 2)
        formatted = format_money(amount or 0, currency)
        bars.append(
            format_html(
                '<g><title>{}: {}</title><rect class="chart-bar" x="{}" y="{}" width="{}" '
                'height="{}" rx="2" fill="#0b5ed7"></rect>'
                '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="11" '
                'fill="currentColor">{}</text></g>',
                text,
                formatted,
                x,
                y,
                bar_width,
                height,
                centre,
                HEIGHT - 8,
                short,
            )
        )
    largest = max(values, default=Decimal(0))
    peak = (
        format_html(
            '<text class="chart-peak" x="{}" y="{}" font-size="11" fill="currentColor">{}</text>',
            LEFT,
            TOP - 6,
            _("Highest: %(amount)s") % {"amount": format_money(largest, currency)},
        )
        if largest > 0
        else format_html(
            '<text class="chart-peak" x="{}" y="{}" font-size="11" fill="currentColor">{}</text>',
            LEFT,
            TOP + PLOT_HEIGHT / 2,
            _("Nothing to show for these months."),
        )
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#6c757d"></line>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        label,
        LEFT,
        TOP + PLOT_HEIGHT,
        WIDTH - RIGHT,
        TOP + PLOT_HEIGHT,
        peak,
        mark_safe("".join(bars)),  # each bar built by format_html # nosec B308 B703
    )
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td class="text-end">{}</td></tr>',
        ((text, format_money(amount or 0, currency)) for text, amount in data),
    )
    table = format_html(
        '<details class="chart-table mt-2"><summary>{}</summary>'
        '<div class="table-responsive" tabindex="0" role="region" aria-label="{}">'
        '<table class="table table-sm mb-0"><caption>{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col" class="text-end">{}</th></tr>'
        "</thead><tbody>{}</tbody>"
        '<tfoot><tr><th scope="row">{}</th><td class="text-end">{}</td></tr></tfoot>'
        "</table></div></details>",
        _("The figures as a table"),
        _("Table, scrolls sideways on small screens"),
        caption or title,
        _("Month"),
        _("Amount"),
        rows,
        _("Total"),
        format_money(total, currency),
    )
    return format_html(
        '<figure class="chart-figure mb-0">{}<figcaption class="small text-body-secondary">'
        "{}</figcaption>{}</figure>",
        svg,
        caption,
        table,
    )
