"""A goal's measure over time as a chart: the baseline, each check-in and the target, drawn by pygal as SVG.

The SVG is a document of its own, served as ``image/svg+xml`` and shown with ``<img>`` (see web/charts.py): it works
without JavaScript and prints. pygal adds scripts (tooltips from a CDN and a config script) and comments with its home
page; they are taken out of the tree before it is written, so the document never fetches anything. The same points come
back as rows for a data table, which is what screen readers (and anyone who wants exact numbers) read.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pygal
from pygal.style import Style

from credentials.text.dates import DEFAULT_TIME_ZONE, local_day, us_date

# Importing pygal appends a finder to sys.meta_path for its map plugins (pygal.maps.*, which we do not use). It has no
# find_spec, so every import that no other finder resolves (an optional dependency's `try: import x`) warns
# ImportWarning from then on; take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

Number = int | float | Decimal
Day = date | datetime

WIDTH, HEIGHT = 640, 340
MAX_X_LABELS = 7
UNDATED = date(2000, 1, 3)  # where a chart with no dates at all is drawn (its axis has no labels)
PERCENT_UNITS = frozenset({"%", "percent", "per cent", "percentage", "percent of students"})

# The site's palette (static/css/microcred.css): ink on paper; check-ins in the brand blue, the target in green, the
# baseline in grey. Text is ink, so contrast holds on screen and on paper.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#c9d0d8",
    colors=("#4a5360", "#1e6b34", "#114b7a"),
    font_family="'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=15,
    title_font_size=16,
    tooltip_font_size=14,
    value_font_size=13,
    no_data_font_size=16,
    opacity="1",
    opacity_hover="1",
    stroke_opacity="1",
    stroke_opacity_hover="1",
    stroke_width="3",
    stroke_width_hover="3",
    transition="none",  # nothing moves: what the screen shows is what prints
)
# The root selector is empty without a chart-id prefix (see no_prefix below), so the font is set on the root here.
# The guides are light and solid, so the dashed baseline and target lines stand out from them.
CSS = (
    "inline:svg{font-family:'Source Sans Pro','Helvetica Neue',Arial,sans-serif}"
    ".axis .guide.line,.axis .major.guide.line{stroke:#dde2e8;stroke-dasharray:none}"
)


class _Chart(pygal.XY):
    """pygal's XY chart without tooltip data: its tooltips need pygal's script, which this document never carries, and
    writing four <desc> elements per point for them is a good part of the render time."""

    def _tooltip_data(self, *args, **kwargs) -> None:
        return None


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One point of the chart as a row of its data table: "December 2, 2026 · Check-in · 62%"."""

    day: date | None  # None when the goal has no date for its baseline or target
    date_text: str  # empty without a day
    what: str  # Baseline, Check-in or Target
    value: float
    value_text: str


@dataclass(frozen=True, slots=True)
class MeasureChart:
    """The chart's SVG document, its accessible title and description (also the ``alt`` of the image) and its
    data table, in date order."""

    svg: str
    title: str
    description: str
    rows: tuple[ChartRow, ...]


def measure_chart(
    *,
    measure: str,
    unit: str,
    baseline: Number,
    baseline_on: Day | None,
    target: Number,
    target_on: Day | None,
    check_ins: Iterable[tuple[Day, Number | None]],
    time_zone: str | None = DEFAULT_TIME_ZONE,
    title: str | None = None,
    description: str | None = None,
) -> MeasureChart:
    """The SVG chart of a goal's measure (baseline, check-ins, target) and the rows of its data table."""
    percent = unit.strip().lower() in PERCENT_UNITS
    baseline_day = local_day(baseline_on, time_zone) if baseline_on is not None else None
    target_day = local_day(target_on, time_zone) if target_on is not None else None
    points = sorted(
        ((local_day(when, time_zone), float(value)) for when, value in check_ins if value is not None),
        key=lambda point: point[0],
    )

    def text(value: Number) -> str:
        return _value_text(value, unit, percent)

    def axis_text(value: Number) -> str:  # the unit's name is the axis title; a percent sign goes with each number
        return _number(value) + ("%" if percent else "")

    rows = _rows(baseline_day, float(baseline), target_day, float(target), points, text)
    title = title or f"{measure}: baseline, check-ins and target"
    description = description or _description(measure, rows, float(baseline), float(target), points, text)

    days = [day for day in (baseline_day, target_day, *(day for day, _ in points)) if day is not None]
    first, last = (min(days), max(days)) if days else (UNDATED, UNDATED)  # no dates at all: no date axis either
    if last <= first:
        last = first + timedelta(days=7)
    pad = max(1, (last - first).days // 30)
    low, high = _value_range([float(baseline), float(target), *(value for _, value in points)], percent)

    chart = _Chart(
        style=STYLE,
        js=[],  # no tooltip script from the CDN (the config script pygal always adds is removed by _only_drawing)
        css=["file://style.css", "file://graph.css", CSS],
        force_uri_protocol=None,
        no_prefix=True,  # a document of its own: no random chart id, so the same goal gives the same SVG
        disable_xml_declaration=True,
        explicit_size=True,
        width=WIDTH,
        height=HEIGHT,
        margin=12,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=-1,
        truncate_label=-1,
        show_x_guides=False,
        show_x_labels=bool(days),
        xrange=(first.toordinal() - pad, last.toordinal() + pad),
        x_value_formatter=_short_day,
        value_formatter=axis_text,
        y_title=None if percent or not unit.strip() else unit.strip(),
        range=(low, high),
        max_scale=6,
        dots_size=5 if len(points) <= 20 else 3.5,
    )
    chart.add_xml_filter(_only_drawing(title, description))
    chart.x_labels = _x_ticks(first, last)
    start, end = first.toordinal(), last.toordinal()
    base_x = baseline_day.toordinal() if baseline_day else start
    target_x = target_day.toordinal() if target_day else end
    chart.add(
        f"Baseline: {axis_text(baseline)}",
        [(base_x, float(baseline)), {"value": (end, float(baseline)), "node": {"r": 0}}],
        stroke_style={"width": 2, "dasharray": "8, 5"},
    )
    chart.add(
        f"Target: {axis_text(target)}" + (f" by {_short_day(target_x)}" if target_day else ""),
        [{"value": (start, float(target)), "node": {"r": 0}}, (target_x, float(target))],
        stroke_style={"width": 2, "dasharray": "3, 4"},
        dots_size=7,
    )
    chart.add(
        "Check-ins" if points else "Check-ins (none yet)",
        [(day.toordinal(), value) for day, value in points],
    )
    return MeasureChart(svg=chart.render(), title=title, description=description, rows=rows)


def _rows(baseline_day, baseline, target_day, target, points, text) -> tuple[ChartRow, ...]:
    middle = (ChartRow(day, us_date(day), "Check-in", value, text(value)) for day, value in points)
    return (
        ChartRow(baseline_day, us_date(baseline_day), "Baseline", baseline, text(baseline)),
        *middle,
        ChartRow(target_day, us_date(target_day), "Target", target, text(target)),
    )


def _description(measure, rows, baseline, target, points, text) -> str:
    baseline_row, target_row = rows[0], rows[-1]
    parts = [
        f"{measure}. Baseline {text(baseline)}" + (f" on {baseline_row.date_text}" if baseline_row.date_text else "")
    ]
    direction = "lower is better" if target < baseline else "higher is better"
    parts.append(
        f"target {text(target)}" + (f" by {target_row.date_text}" if target_row.date_text else "") + f" ({direction})"
    )
    if not points:
        parts.append("no check-ins yet.")
    else:
        day, value = points[-1]
        count = "1 check-in" if len(points) == 1 else f"{len(points)} check-ins"
        parts.append(f"{count}, the latest {text(value)} on {us_date(day)}.")
    return "; ".join(parts)


def _value_range(values: list[float], percent: bool) -> tuple[float, float]:
    """The value axis: every point with a margin, so no point sits on the frame; percentages stay within 0-100."""
    low, high = min(values), max(values)
    margin = (high - low) * 0.08 or max(1.0, abs(high) * 0.1)
    low, high = low - margin, high + margin
    if low < 0 <= min(values):
        low = 0.0
    if percent and high > 100 >= max(values):
        high = 100.0
    return low, high


def _x_ticks(first: date, last: date) -> list[int]:
    """Where the date axis is labelled: weeks for a short span, else the first of months (at most MAX_X_LABELS)."""
    span = (last - first).days
    if span <= 7 * MAX_X_LABELS:
        step = max(1, -(-span // (MAX_X_LABELS - 1)))
        return [(first + timedelta(days=offset)).toordinal() for offset in range(0, span + 1, step)]
    months = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    step = -(-len(months) // MAX_X_LABELS)
    return [month.toordinal() for month in months[::step]]


def _short_day(ordinal: float) -> str:
    """Sep 14: the axis's dates (the table carries the full ones)."""
    day = date.fromordinal(round(ordinal))
    return f"{day:%b} {day.day}"


def _number(value: Number) -> str:
    """48, 48.5, 1,200: at most two decimals, no trailing zeros."""
    text = f"{round(float(value), 2):,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _value_text(value: Number, unit: str, percent: bool) -> str:
    if percent:
        return f"{_number(value)}%"
    return f"{_number(value)} {unit.strip()}".rstrip()


def _only_drawing(title: str, description: str):
    """An XML filter for pygal: drop its scripts and comments, and give the document its title and description."""

    def filter_tree(root):
        # pygal writes its comments at the top and its scripts in <defs>; the chart itself never holds either.
        for parent in (root, *(child for child in root if _local(child.tag) == "defs")):
            for child in list(parent):
                if not isinstance(child.tag, str) or _local(child.tag) == "script":
                    parent.remove(child)
        root.attrib.pop("id", None)  # pygal leaves an empty id without its prefix
        root.set("role", "img")
        for index, child in enumerate(root):
            if _local(child.tag) == "title":
                child.text = title
                desc = child.makeelement(child.tag[: -len("title")] + "desc", {})
                desc.text = description
                root.insert(index + 1, desc)
                break
        return root

    return filter_tree


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
