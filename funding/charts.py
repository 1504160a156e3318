"""Server-made SVG charts for the funding dashboard: horizontal bars (long labels read
well), and the partnership network. Each carries a title and a description for screen
readers, and every page shows the same numbers in a table beside it."""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

INK, MUTED, LINE, ACCENT, SOFT = "#1f2933", "#52606d", "#d9e2ec", "#1d4ed8", "#93b4f5"


def _open(chart_id, title, description, width, height):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" width="100%">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def hbar_chart(rows, *, title, description="", chart_id="hbar", width=720, label_width=300, format_value=str):
    """Horizontal bars. `rows` is a list of (label, value, second value or None): the
    second value, when given, is drawn lighter behind the first (e.g. envelope behind
    committed)."""
    rows = list(rows)
    bar_h, gap, top = 18, 10, 6
    height = top + max(len(rows), 1) * (bar_h + gap) + 4
    largest = max([max(float(v or 0), float(w or 0)) for _label, v, w in rows] or [0]) or 1
    plot = width - label_width - 90
    parts = _open(chart_id, title, description, width, height)
    for index, (label, value, behind) in enumerate(rows):
        y = top + index * (bar_h + gap)
        text = str(label)
        short = text if len(text) <= 42 else text[:41] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 13}" font-size="12" text-anchor="end" fill="{INK}">'
            f"<title>{escape(text)}</title>{escape(short)}</text>"
        )
        behind_w = plot * float(behind) / largest if behind else 0
        if behind_w:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{behind_w:.1f}" height="{bar_h}" fill="{LINE}"/>'
            )
        w = plot * float(value or 0) / largest
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}" fill="{ACCENT}">'
            f"<title>{escape(text)}: {escape(format_value(value))}</title></rect>"
            f'<text x="{label_width + max(w, behind_w) + 6:.1f}" y="{y + 13}" font-size="11" fill="{MUTED}">'
            f"{escape(format_value(value))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is escaped or a number


def growth_chart(rows, *, title, description="", chart_id="growth", width=640, height=220):
    """Stacked columns per call: links already there (light) and links new in that call
    (dark). `rows` is a list of (label, earlier, new)."""
    rows = list(rows)
    margin_left, margin_bottom, top = 36, 40, 12
    plot_w, plot_h = width - margin_left - 8, height - margin_bottom - top
    largest = max([earlier + new for _label, earlier, new in rows] or [0]) or 1
    slot = plot_w / max(len(rows), 1)
    bar_w = max(min(slot * 0.6, 56), 6)
    parts = _open(chart_id, title, description, width, height)
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{margin_left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{LINE}"/>'
            f'<text x="{margin_left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">'
            f"{round(largest * fraction)}</text>"
        )
    for index, (label, earlier, new) in enumerate(rows):
        x = margin_left + slot * index + (slot - bar_w) / 2
        h_earlier = plot_h * earlier / largest
        h_new = plot_h * new / largest
        y_earlier = top + plot_h - h_earlier
        parts.append(
            f'<rect x="{x:.1f}" y="{y_earlier:.1f}" width="{bar_w:.1f}" height="{h_earlier:.1f}" '
            f'fill="{SOFT}">'
            f"<title>{escape(label)}: {earlier}</title></rect>"
            f'<rect x="{x:.1f}" y="{y_earlier - h_new:.1f}" width="{bar_w:.1f}" height="{h_new:.1f}" '
            f'fill="{ACCENT}"><title>{escape(label)}: +{new}</title></rect>'
            f'<text x="{x + bar_w / 2:.1f}" y="{height - margin_bottom + 16}" font-size="10" '
            f'text-anchor="middle" fill="{MUTED}">{escape(str(label)[:18])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is escaped or a number


def network_chart(nodes, edges, *, title, description="", chart_id="network", size=560):
    """Organisations on a circle, a line between two that work on a funded project
    together; thicker for more projects. `nodes` is a list of (id, label, degree);
    `edges` a list of (id, id, weight)."""
    nodes = list(nodes)
    centre, radius = size / 2, size / 2 - 90
    position = {}
    for index, (pk, _label, _degree) in enumerate(nodes):
        angle = 2 * math.pi * index / max(len(nodes), 1) - math.pi / 2
        position[pk] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle), angle)
    parts = _open(chart_id, title, description, size, size)
    for a, b, weight in edges:
        if a in position and b in position:
            (x1, y1, _a1), (x2, y2, _a2) = position[a], position[b]
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{SOFT}" '
                f'stroke-width="{min(1 + weight, 6)}" stroke-opacity="0.8"/>'
            )
    for pk, label, degree in nodes:
        x, y, angle = position[pk]
        r = 4 + min(degree, 8)
        anchor = "start" if math.cos(angle) >= 0 else "end"
        dx = (r + 4) * (1 if anchor == "start" else -1)
        text = str(label)
        short = text if len(text) <= 22 else text[:21] + "…"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{ACCENT}">'
            f"<title>{escape(text)}: {degree}</title></circle>"
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" font-size="11" text-anchor="{anchor}" fill="{INK}">'
            f"{escape(short)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is escaped or a number
