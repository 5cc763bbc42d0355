"""Small server-rendered SVG bar charts: no JavaScript, the same markup on a page and in a
PDF (WeasyPrint draws inline SVG).

`bar_chart` lays out horizontal bars, one per row, scaled to the largest value; the
template `includes/bar_chart.svg` draws them. Labels longer than the label column are cut
with an ellipsis; the full label stays in each bar's tooltip.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

WIDTH = 560
LABEL_WIDTH = 150
VALUE_WIDTH = 110
ROW_HEIGHT = 26
TOP = 8
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 12
LABEL_CHARS = 18


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    text: str
    y: int
    width: float
    colour: str

    @property
    def text_y(self) -> int:
        return self.y + ROW_HEIGHT // 2 + 4

    @property
    def rect_y(self) -> int:
        return self.y + 3


@dataclasses.dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = ROW_HEIGHT - 6

    @property
    def label_x(self) -> int:
        return self.label_width - 8

    @property
    def value_x(self) -> int:
        return self.label_width + BAR_AREA + 6


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, float, str]],
    *,
    colours: Sequence[str] = ("#1f5eff",),
) -> Chart:
    """A chart of `(label, value, text shown beside the bar)` rows; negative values draw
    no bar. Colours repeat when there are fewer than rows."""
    top = max((value for _, value, _ in rows), default=0) or 1
    bars = []
    for index, (label, value, text) in enumerate(rows):
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(
            Bar(
                label=short,
                full_label=label,
                text=text,
                y=TOP + index * ROW_HEIGHT,
                width=round(BAR_AREA * max(value, 0) / top, 1),
                colour=colours[index % len(colours)],
            )
        )
    return Chart(chart_id, title, bars, height=TOP * 2 + len(rows) * ROW_HEIGHT)
