"""The renewal-value chart (issue #8, Pages): a pure server-side SVG bar chart with its
figures as a table, role="img" and an aria-label, readable on a phone."""

import re
from decimal import Decimal

from renewals.charts import PLOT_HEIGHT, bar_chart_svg, bar_heights


def heights(svg: str) -> list[float]:
    return [float(value) for value in re.findall(r'<rect[^>]* height="([0-9.]+)"', svg)]


def test_bars_are_proportional_to_their_values_and_the_largest_fills_the_plot():
    assert bar_heights([Decimal(50), Decimal(100), Decimal(25)]) == [
        PLOT_HEIGHT / 2,
        PLOT_HEIGHT,
        PLOT_HEIGHT / 4,
    ]
    svg = bar_chart_svg(
        [("Jan", Decimal(50)), ("Feb", Decimal(100)), ("Mar", Decimal(25))], "EUR", title="Value"
    )
    assert heights(svg) == [PLOT_HEIGHT / 2, PLOT_HEIGHT, PLOT_HEIGHT / 4]


def test_no_value_at_all_draws_flat_bars_and_says_there_is_nothing_to_show():
    svg = bar_chart_svg([("Jan", Decimal(0)), ("Feb", Decimal(0))], "EUR", title="Value")
    assert heights(svg) == [0.0, 0.0]
    assert "Nothing to show for these months." in svg
    assert bar_chart_svg([], "EUR", title="Value").count("<rect") == 0


def test_one_month_fills_the_plot_and_its_amount_is_in_the_table():
    svg = bar_chart_svg([("April 2027", Decimal("1234.50"))], "EUR", title="Value")
    assert heights(svg) == [PLOT_HEIGHT]
    assert '<th scope="row">April 2027</th><td class="text-end">€1,234.50</td>' in svg


def test_negative_values_draw_no_bar():
    assert bar_heights([Decimal(-10), Decimal(10)]) == [0.0, PLOT_HEIGHT]


def test_the_chart_is_an_image_named_by_its_title_and_total():
    svg = bar_chart_svg([("Jan", Decimal(10)), ("Feb", Decimal(20))], "EUR", title="Renewal value")
    assert 'role="img"' in svg
    assert 'aria-label="Renewal value. Total €30.00."' in svg
    assert 'viewBox="0 0 360 200"' in svg
    assert 'width="100%"' in svg


def test_labels_title_and_caption_are_escaped():
    svg = bar_chart_svg(
        [("<script>alert(1)</script>", Decimal(1))],
        "EUR",
        title='"><b>title',
        caption="<i>caption</i>",
    )
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&lt;i&gt;caption&lt;/i&gt;" in svg


def test_short_labels_go_under_the_bars_and_full_labels_into_the_table():
    svg = bar_chart_svg([("March 2027", Decimal(5))], "EUR", title="Value", short_labels=["Mar"])
    assert re.search(r'<text class="chart-label"[^>]*>Mar</text>', svg)
    assert '<th scope="row">March 2027</th>' in svg
    assert "<title>March 2027: €5.00</title>" in svg
