"""Server-made SVG for the regional view: the network of tables or organisations (a
circular layout, nodes grouped by theme or sector so that links inside a group stay short
and labels never overlap) and an organisation's load per month. Each picture has a title
and description; the pages always show the same facts in a table."""

import math

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .charts import bar_chart

# Distinguishable colours (Okabe and Ito, then Tableau), dark enough for white borders.
PALETTE = [
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#8c564b",
    "#9467bd",
    "#bcbd22",
    "#56b4e9",
    "#17becf",
    "#7f7f7f",
    "#1f2933",
    "#b91c1c",
    "#4d7c0f",
]
FONT_SIZE = 11
LABEL_CHARS = 30
# Beyond this, the picture keeps the most connected nodes; the table lists them all.
MAX_NODES = 60
MAX_NODE_RADIUS = 10


def _short(text, limit=LABEL_CHARS):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def network_svg(network, *, title, description, chart_id, size_unit=""):
    """The nodes of `network` on a circle, grouped (by theme or sector) and sorted by
    label within a group; links are curves bent towards the centre, thicker when
    stronger. The picture is an image (no links inside, so that it stays one image to
    screen readers); the table next to it links the tables and organisations. Returns an
    empty string when there is nothing to draw."""
    nodes = list(network.nodes)
    if len(nodes) > MAX_NODES:
        degree = {}
        for edge in network.edges:
            degree[edge.first_id] = degree.get(edge.first_id, 0) + edge.weight
            degree[edge.second_id] = degree.get(edge.second_id, 0) + edge.weight
        nodes = sorted(nodes, key=lambda n: -degree.get(n.id, 0))[:MAX_NODES]
    if len(nodes) < 2:
        return ""
    # Neighbours on the circle share a region (for all of Québec) and a group, so that
    # most links are short chords near the rim rather than lines across the middle.
    nodes.sort(key=lambda n: (n.order, n.group_label, n.label.casefold()))
    kept = {node.id for node in nodes}
    edges = [e for e in network.edges if e.first_id in kept and e.second_id in kept]

    groups = []
    for node in nodes:
        if node.group not in [g for g, _label in groups]:
            groups.append((node.group, node.group_label))
    colour = {group: PALETTE[i % len(PALETTE)] for i, (group, _label) in enumerate(groups)}

    # The circle grows with the number of nodes so that neither the dots nor the labels
    # (one line each, along the radius) touch their neighbours.
    spacing = max(FONT_SIZE + 4, 2 * MAX_NODE_RADIUS + 3)
    radius = max(130, min(420, len(nodes) * spacing / (2 * math.pi)))
    longest = max(len(_short(node.label)) for node in nodes)
    label_room = max(longest, 8) * FONT_SIZE * 0.62
    width = max(480, 2 * (radius + MAX_NODE_RADIUS + 10 + label_room))
    cx = cy = width / 2
    # Long group names (sectors) need the whole width on a narrow picture.
    legend_columns = 2 if width >= 760 else 1
    legend_rows = math.ceil(len(groups) / legend_columns)
    height = width + 16 + legend_rows * 20

    # A small network is drawn larger, so that its labels read like the page's text.
    shown = max(width, 720)

    biggest = max((n.size for n in nodes), default=1) or 1
    strongest = max((e.weight for e in edges), default=1) or 1
    position, node_radius = {}, {}
    for index, node in enumerate(nodes):
        angle = 2 * math.pi * index / len(nodes) - math.pi / 2
        position[node.id] = (angle, cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        node_radius[node.id] = 4 + (MAX_NODE_RADIUS - 4) * math.sqrt(max(node.size, 0) / biggest)
    names = {node.id: node.name for node in nodes}

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{shown:.0f}" height="{height * shown / width:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="network" id="{chart_id}" '
        f'font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<g class="edges" fill="none">',
    ]
    for edge in sorted(edges, key=lambda e: e.weight):
        _a, x1, y1 = position[edge.first_id]
        _b, x2, y2 = position[edge.second_id]
        # The control point pulls the curve towards the centre, as in a chord diagram.
        qx, qy = cx + ((x1 + x2) / 2 - cx) * 0.25, cy + ((y1 + y2) / 2 - cy) * 0.25
        stroke = 1 + 5 * edge.weight / strongest
        label = _("%(first)s and %(second)s: %(count)s") % {
            "first": names[edge.first_id],
            "second": names[edge.second_id],
            "count": edge.weight,
        }
        parts.append(
            f'<path class="edge" data-a="{edge.first_id}" data-b="{edge.second_id}" '
            f'd="M{x1:.1f},{y1:.1f} Q{qx:.1f},{qy:.1f} {x2:.1f},{y2:.1f}" stroke="#52606d" '
            f'stroke-opacity="0.45" stroke-width="{stroke:.1f}"><title>{escape(label)}</title></path>'
        )
    parts.append('</g><g class="nodes">')
    label_radius = radius + MAX_NODE_RADIUS + 5
    for node in nodes:
        angle, x, y = position[node.id]
        lx, ly = cx + label_radius * math.cos(angle), cy + label_radius * math.sin(angle)
        degrees = math.degrees(angle)
        if math.cos(angle) >= -1e-9:
            rotate, anchor = degrees, "start"
        else:
            rotate, anchor = degrees + 180, "end"
        tooltip = f"{node.name} · {node.group_label}"
        if size_unit:
            tooltip += f" · {node.size:g} {size_unit}"
        body = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_radius[node.id]:.1f}" fill="{colour[node.group]}" '
            f'stroke="#fff" stroke-width="1.5"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" dy="0.35em" font-size="{FONT_SIZE}" text-anchor="{anchor}" '
            f'fill="#1f2933" transform="rotate({rotate:.1f} {lx:.1f} {ly:.1f})">'
            f"{escape(_short(node.label))}</text>"
            f"<title>{escape(tooltip)}</title>"
        )
        parts.append(f'<g class="node" data-node="{node.id}">{body}</g>')
    parts.append("</g>")
    top = width + 8
    column = width / legend_columns
    for index, (group, label) in enumerate(groups):
        x = 12 + (index % legend_columns) * column
        y = top + (index // legend_columns) * 20
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" rx="6" fill="{colour[group]}"/>'
            f'<text x="{x + 18:.0f}" y="{y + 10:.0f}" font-size="12" fill="#1f2933">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is escaped or a number


def load_chart(load, *, chart_id="organisation-load"):
    """Estimated meeting hours per month of one organisation (bars)."""
    peak = max((month.hours for month in load.months), default=0)
    ceiling = max(5, math.ceil(peak / 5) * 5)
    points = [(formats.date_format(month.month, "N y"), month.hours) for month in load.months]
    return bar_chart(
        points,
        title=_("Meeting hours per month: %(organisation)s") % {"organisation": load.organisation},
        description=_("Estimated hours in meetings of tables, per month, over %(count)s months.")
        % {"count": len(load.months)},
        max_value=ceiling,
        unit=" h",
        chart_id=chart_id,
    )
