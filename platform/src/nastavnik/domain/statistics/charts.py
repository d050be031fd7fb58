"""Trend lines as inline SVG, drawn on the server: no JavaScript, readable without colour (points and
labels), described for screen readers. Only numbers and escaped text go into the markup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 12, 26


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def line_chart(
    points: list[tuple[date, float | None]],
    *,
    title: str,
    maximum: float = 100.0,
    unit: str = "%",
    target: float | None = None,
) -> Markup:
    """A line over the snapshots (evenly spaced, oldest left); gaps where a snapshot has no value."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([maximum, *(v for _, v in points if v is not None), target or 0.0])

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top) if top else TOP + plot_h

    known = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if known:
        last = known[-1][1]
        summary = f"{title}: последнее значение {_fmt(last)} {unit}, снимков {len(points)}"
    else:
        summary = f"{title}: нет данных"
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img"'
        f' aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(summary)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" class="tick">{escape(_fmt(top))}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" class="tick">0</text>',
    ]
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" class="target"/>'
            f'<text x="{WIDTH - RIGHT}" y="{ty - 3:.1f}" text-anchor="end" class="tick">'
            f"цель {escape(_fmt(target))}</text>"
        )
    # Runs of consecutive known values become polylines; a missing snapshot breaks the line.
    run: list[str] = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" class="line"/>')
            run = []
            continue
        run.append(f"{x(i):.1f},{y(value):.1f}")
    if len(run) > 1:
        parts.append(f'<polyline points="{" ".join(run)}" class="line"/>')
    # Dates and numbers are digits, dots and commas: only the unit needs escaping (once per chart).
    suffix = f" {escape(unit)}</title></circle>"
    for i, value in known:
        day = points[i][0]
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" class="point">'
            f"<title>{day.day:02d}.{day.month:02d}.{day.year:04d}: {_fmt(value)}{suffix}"
        )
    if points:
        first, last_day = points[0][0].strftime("%d.%m"), points[-1][0].strftime("%d.%m")
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" class="tick">{escape(first)}</text>')
        if len(points) > 1:
            parts.append(
                f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end" class="tick">'
                f"{escape(last_day)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped text only


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart with the caption a person reads above it (the SVG's own title is only a tooltip)."""

    caption: str
    svg: Markup


def captioned_chart(
    points: list[tuple[date, float | None]],
    *,
    title: str,
    maximum: float = 100.0,
    unit: str = "%",
    target: float | None = None,
) -> Chart:
    measure = "%" if unit == "%" else f"средний балл из {_fmt(maximum).removesuffix(',0')}"
    caption = f"{title}, {measure}: по снимкам учебного года"
    if target is not None:
        caption += f", цель {_fmt(target)}\u00a0%"
    svg = line_chart(points, title=title, maximum=maximum, unit=unit, target=target)
    return Chart(caption, svg)
