"""Charts as server-rendered SVG: no script, nothing to download, and they print.

Every chart carries a <title> and <desc> for screen readers (the page also shows the numbers
as a table), writes its values as black text beside or inside the bars, and tells series apart
by texture as well as colour, so a black-and-white printout still reads. All text is escaped
here; the result is safe to put in a template as it is."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

INK = "#000"
GRID = "#b8c0cc"
FONT = 12
# Light fills, so black numbers stay readable on them; the textures carry the distinction
# when the colours are gone.
PALETTE = (
    "#e3e7ed",
    "#c6dbef",
    "#9ecae1",
    "#c7e9c0",
    "#a1d99b",
    "#fdd0a2",
    "#fdae6b",
    "#f3c8a0",
    "#fff4a3",
    "#f4b6b6",
)
# (kind, angle): solid, then hatching at different angles, dots and cross-hatching.
TEXTURES = (
    ("solid", 0),
    ("lines", 45),
    ("lines", -45),
    ("lines", 0),
    ("lines", 90),
    ("dots", 0),
    ("cross", 0),
    ("cross", 45),
    ("dense", 45),
    ("dense", -45),
)


def _join(parts: Iterable[SafeString]) -> SafeString:
    # Each part comes from format_html, which escaped what it was given.
    return mark_safe("".join(parts))


def _num(value: float) -> str:
    """Coordinates with at most one decimal, so the markup stays small and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(
    chart_id: str, width: float, height: float, title: str, desc: str, body: SafeString
) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}"'
        ' width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc"'
        ' font-size="{font}" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=_num(width),
        h=_num(height),
        font=FONT,
        ink=INK,
        title=title,
        desc=desc,
        body=body,
    )


def _text(
    x: float, y: float, text: str, anchor: str = "start", css: str = "", halo: bool = False
) -> SafeString:
    """Text in black; with ``halo`` a white outline keeps it legible over a texture."""
    outline = ' stroke="#fff" stroke-width="3" paint-order="stroke"' if halo else ""
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" class="{}"{}>{}</text>',
        _num(x),
        _num(y),
        anchor,
        css,
        mark_safe(outline),
        text,
    )


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str = INK, **extra: str
) -> SafeString:
    attributes = _join(
        format_html(' {}="{}"', "class" if k == "css_class" else k.replace("_", "-"), v)
        for k, v in extra.items()
    )
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"{}/>',
        _num(x1),
        _num(y1),
        _num(x2),
        _num(y2),
        stroke,
        attributes,
    )


def _pattern(pattern_id: str, colour: str, kind: str, angle: int) -> SafeString:
    marks = {
        "solid": "",
        "lines": '<line x1="0" y1="0" x2="0" y2="8" stroke="#000" stroke-opacity=".45"/>',
        "dense": '<line x1="0" y1="0" x2="0" y2="8" stroke="#000" stroke-opacity=".45"/>'
        '<line x1="4" y1="0" x2="4" y2="8" stroke="#000" stroke-opacity=".45"/>',
        "dots": '<circle cx="4" cy="4" r="1.4" fill="#000" fill-opacity=".5"/>',
        "cross": '<line x1="0" y1="0" x2="0" y2="8" stroke="#000" stroke-opacity=".4"/>'
        '<line x1="0" y1="0" x2="8" y2="0" stroke="#000" stroke-opacity=".4"/>',
    }[kind]
    return format_html(
        '<pattern id="{}" patternUnits="userSpaceOnUse" width="8" height="8"'
        ' patternTransform="rotate({})"><rect width="8" height="8" fill="{}"/>{}</pattern>',
        pattern_id,
        angle,
        colour,
        mark_safe(marks),
    )


def _fills(chart_id: str, count: int) -> tuple[list[str], SafeString]:
    """One textured fill per series: the fill references and their <defs>."""
    ids = [f"{chart_id}-fill{n}" for n in range(count)]
    defs = _join(
        _pattern(ids[n], PALETTE[n % len(PALETTE)], *TEXTURES[n % len(TEXTURES)])
        for n in range(count)
    )
    return [f"url(#{i})" for i in ids], format_html("<defs>{}</defs>", defs)


def _nice_ceiling(value: float) -> int:
    """The axis end: the value rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[int]],
) -> SafeString:
    """Horizontal bars, one per category, stacked by series; counts are written inside the
    segments wide enough for them and the total at the end of each bar."""
    label_width, bar_width, right, row, gap = 110, 560, 50, 26, 8
    legend_columns = 5
    legend_rows = -(-len(series) // legend_columns)
    top = 12 + legend_rows * 22
    width = label_width + bar_width + right
    height = top + len(categories) * (row + gap) + 10
    fills, defs = _fills(chart_id, len(series))
    scale = bar_width / max([sum(v) for v in values] + [1])
    parts = [defs]
    for n, name in enumerate(series):
        x = 10 + (n % legend_columns) * (width - 20) / legend_columns
        y = 8 + (n // legend_columns) * 22
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}"/>',
                _num(x),
                _num(y),
                fills[n],
                INK,
            )
        )
        parts.append(_text(x + 19, y + 12, name, css="legend"))
    for r, (category, counts) in enumerate(zip(categories, values, strict=True)):
        y = top + r * (row + gap)
        parts.append(_text(label_width - 8, y + row / 2 + 4, category, anchor="end"))
        x = float(label_width)
        for n, count in enumerate(counts):
            if not count:
                continue
            w = count * scale
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"'
                    ' stroke="{}" stroke-width=".5" data-series="{}" data-value="{}">'
                    "<title>{}: {} {}</title></rect>",
                    _num(x),
                    _num(y),
                    _num(w),
                    row,
                    fills[n],
                    INK,
                    series[n],
                    count,
                    category,
                    series[n],
                    count,
                )
            )
            if w >= 16:
                parts.append(_text(x + w / 2, y + row / 2 + 4, str(count), "middle", halo=True))
            x += w
        parts.append(_text(x + 6, y + row / 2 + 4, str(sum(counts)), css="total"))
    return _svg(chart_id, width, height, title, desc, _join(parts))


def histogram(
    chart_id: str, title: str, desc: str, bins: Sequence[tuple[int, int, int]]
) -> SafeString:
    """Vertical bars over (lower, upper, count) bins, the count written above each bar."""
    left, bottom, top, column, plot_height = 30, 30, 20, 18, 130
    width = left + len(bins) * column + 16
    height = top + plot_height + bottom
    axis_max = _nice_ceiling(max([count for _lo, _hi, count in bins] + [1]))
    scale = plot_height / axis_max
    base = top + plot_height
    parts = []
    for tick in range(0, axis_max + 1, max(1, axis_max // 5)):
        y = base - tick * scale
        parts.append(_line(left, y, width - 16, y, GRID, stroke_dasharray="2 3"))
        parts.append(_text(left - 4, y + 4, str(tick), "end", "tick"))
    for n, (lower, upper, count) in enumerate(bins):
        x = left + n * column
        if count:
            h = count * scale
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="#9ecae1"'
                    ' stroke="{}" data-value="{}"><title>{}–{}: {}</title></rect>',
                    _num(x + 2),
                    _num(base - h),
                    column - 4,
                    _num(h),
                    INK,
                    count,
                    lower,
                    upper,
                    count,
                )
            )
            parts.append(_text(x + column / 2, base - h - 4, str(count), "middle", "value"))
        if n % 2 == 0:
            parts.append(_text(x, base + 16, str(lower), "middle", "tick"))
    parts.append(_text(left + len(bins) * column, base + 16, str(bins[-1][1]), "middle", "tick"))
    parts.append(_line(left, base, left + len(bins) * column, base))
    return _svg(chart_id, width, height, title, desc, _join(parts))


@dataclass(frozen=True)
class IntervalBar:
    label: str
    percent: Decimal
    low: Decimal
    high: Decimal
    note: str = ""


@dataclass(frozen=True)
class Reference:
    label: str
    percent: Decimal


def interval_bars(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[IntervalBar],
    references: Sequence[Reference] = (),
) -> SafeString:
    """Horizontal bars of percentages on a 0–100 axis, each with its interval as a whisker,
    and dashed vertical reference lines (a pass line) labelled at the top."""
    label_width, plot_width, right, row, gap = 110, 500, 150, 22, 12
    top = 18 + 16 * len(references)
    width = label_width + plot_width + right
    height = top + len(bars) * (row + gap) + 30

    def x_of(value: Decimal) -> float:
        return label_width + float(value) * plot_width / 100

    parts = []
    for tick in range(0, 101, 20):
        x = x_of(Decimal(tick))
        parts.append(_line(x, top - 4, x, height - 26, GRID, stroke_dasharray="2 3"))
        parts.append(_text(x, height - 10, f"{tick}%", "middle", "tick"))
    for r, bar in enumerate(bars):
        y = top + r * (row + gap)
        middle = y + row / 2
        parts.append(_text(label_width - 8, middle + 4, bar.label, "end"))
        parts.append(
            format_html(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="url(#{}-fill0)"'
                ' stroke="{}" data-value="{}"><title>{}: {}% ({}%–{}%)</title></rect>',
                label_width,
                y,
                _num(x_of(bar.percent) - label_width),
                row,
                chart_id,
                INK,
                bar.percent,
                bar.label,
                bar.percent,
                bar.low,
                bar.high,
            )
        )
        low, high = x_of(bar.low), x_of(bar.high)
        parts.append(_line(low, middle, high, middle, stroke_width="2", css_class="whisker"))
        parts.append(_line(low, middle - 6, low, middle + 6, stroke_width="2"))
        parts.append(_line(high, middle - 6, high, middle + 6, stroke_width="2"))
        label = f"{bar.percent}%" + (f" {bar.note}" if bar.note else "")
        parts.append(_text(max(high, x_of(bar.percent)) + 6, middle + 4, label, css="value"))
    for n, reference in enumerate(references):
        x = x_of(reference.percent)
        parts.append(_line(x, top - 4, x, height - 26, INK, stroke_dasharray="6 3"))
        parts.append(
            _text(x, 14 + 16 * n, f"{reference.label} {reference.percent}%", "middle", halo=True)
        )
    _fill, defs = _fills(chart_id, 1)
    return _svg(chart_id, width, height, title, desc, _join([defs, *parts]))
