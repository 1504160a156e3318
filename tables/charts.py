"""Server-made SVG charts, so that the same chart shows in the page and in the PDF.
Each chart carries a title and description for screen readers; pages also show the
numbers in a table."""

from django.utils.html import escape
from django.utils.safestring import mark_safe


def bar_chart(
    points, *, title, description="", max_value=100, unit="%", width=640, height=220, chart_id="chart"
):
    """Vertical bars. `points` is a list of (label, value or None)."""
    margin_left, margin_bottom, margin_top = 36, 64, 12
    plot_w, plot_h = width - margin_left - 8, height - margin_bottom - margin_top
    count = max(len(points), 1)
    slot = plot_w / count
    bar_w = max(min(slot * 0.6, 48), 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" width="100%">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        y = margin_top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{margin_left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" '
            f'stroke="#d9e2ec" stroke-width="1"/>'
            f'<text x="{margin_left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#52606d">'
            f"{round(max_value * fraction)}{escape(unit)}</text>"
        )
    for index, (label, value) in enumerate(points):
        x = margin_left + slot * index + (slot - bar_w) / 2
        if value is not None:
            bar_h = plot_h * min(value, max_value) / max_value if max_value else 0
            y = margin_top + plot_h - bar_h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="#1d4ed8">'
                f"<title>{escape(label)}: {value}{escape(unit)}</title></rect>"
            )
        label_x, label_y = x + bar_w / 2, height - margin_bottom + 16
        if count > 6:
            # Many bars: slanted labels, so that long ones do not run into each other.
            parts.append(
                f'<text x="{label_x:.1f}" y="{label_y - 4}" font-size="10" text-anchor="end" fill="#52606d" '
                f'transform="rotate(-30 {label_x:.1f} {label_y - 4})">{escape(label)}</text>'
            )
        else:
            parts.append(
                f'<text x="{label_x:.1f}" y="{label_y}" font-size="10" text-anchor="middle" '
                f'fill="#52606d">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is escaped or a number
