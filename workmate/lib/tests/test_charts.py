"""The SVG bar chart: bars scale to the largest value, long labels are cut, none negative."""

from __future__ import annotations

from django.template.loader import render_to_string

from workmate.lib import charts


def test_bars_scale_to_the_largest_value_and_long_labels_are_cut():
    chart = charts.bar_chart(
        "cost",
        "Monthly cost",
        [("On demand", 200.0, "$200"), ("Reserved, 1 year, no upfront", 100.0, "$100")],
        colours=("#111111", "#222222"),
    )
    first, second = chart.bars
    assert first.width == charts.BAR_AREA
    assert second.width == charts.BAR_AREA / 2
    assert second.label.endswith("…") and len(second.label) == charts.LABEL_CHARS
    assert second.full_label == "Reserved, 1 year, no upfront"
    assert (first.colour, second.colour) == ("#111111", "#222222")
    assert chart.height == charts.TOP * 2 + 2 * charts.ROW_HEIGHT


def test_all_zero_and_negative_values_draw_no_bar():
    chart = charts.bar_chart("x", "X", [("a", 0, "0"), ("b", -5, "-5")])
    assert [bar.width for bar in chart.bars] == [0, 0]


def test_the_template_escapes_labels():
    chart = charts.bar_chart("x", "<t>", [("<script>", 1, "1")])
    svg = render_to_string("includes/bar_chart.svg", {"chart": chart})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert svg.count("<rect ") == 1
