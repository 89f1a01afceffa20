"""A rating's chart as HTML: the SVG drawn from ``practice.charts.svg``'s geometry, and the
same values as a table for screen readers and for reading exact numbers.

Written here in one pass rather than in a Jinja macro: a couple with years of history has
hundreds of points, and a macro's per-element attribute lookups and escapes were most of
the couple page's time. Every value that comes from people (names, labels) is escaped
(the standard library's escape: quotes too, and a plain string, not a Markup per value).
"""

from collections.abc import Callable
from html import escape

from markupsafe import Markup


def figure(
    series,
    chart: dict,
    partners,
    format_moment: Callable,
    scale_words: str = "1 to 10",
    underlay: str = "",
    value_name: str = "Rating",
) -> Markup:
    """One rating question's ``<figure>``: caption, SVG (a line, dash and marker per
    partner, each point titled with who, when and what) and the values as a table.
    ``underlay`` is SVG drawn under the lines (a measure's cutoff band and markers), built
    from escaped values by its caller."""
    label = escape(str(series.label))
    lines = chart["lines"]
    described = " and ".join(f"{escape(line.name)} ({escape(line.description)})" for line in lines)
    left, right, height = chart["left"], chart["right"], chart["height"]
    out = [
        f'<figure class="chart">\n  <figcaption>{label} ({escape(scale_words)})</figcaption>\n'
        f'  <svg viewBox="0 0 {chart["width"]} {height}" role="img" '
        f'aria-label="{label}: {described}; the table gives the values">\n'
    ]
    for value, y in chart["grid"]:
        out.append(
            f'    <line x1="{left}" x2="{right}" y1="{y}" y2="{y}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" class="axis">{value}</text>\n'
        )
    out.append(underlay)
    for line in lines:
        name, colour = escape(line.name), escape(line.colour)
        out.append(
            f'    <polyline points="{line.points}" fill="none" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="{line.dash}" data-partner="{name}"/>\n'
        )
        square = line.marker == "square"
        for x, y, point in line.dots:
            title = f"<title>{name}, {escape(point)}</title>"
            if square:
                out.append(
                    f'    <rect x="{x - 3.5:g}" y="{y - 3.5:g}" width="7" height="7" '
                    f'fill="{colour}">{title}</rect>\n'
                )
            else:
                out.append(
                    f'    <circle cx="{x}" cy="{y}" r="3.5" fill="{colour}">{title}</circle>\n'
                )
    start, end = escape(str(chart["start_label"])), escape(str(chart["end_label"]))
    out.append(
        f'    <text x="{left}" y="{height - 6}" class="axis">{start}</text>\n'
        f'    <text x="{right}" y="{height - 6}" text-anchor="end" class="axis">{end}</text>\n'
        "  </svg>\n"
        f"  <details><summary>{label} as a table</summary>\n"
        '    <table><thead><tr><th scope="col">Partner</th><th scope="col">Date</th>'
        f'<th scope="col">{escape(value_name)}</th></tr></thead><tbody>\n'
    )
    for partner in partners:
        name = escape(partner.name)
        for moment, value in series.points.get(partner.id, []):
            out.append(
                f"      <tr><td>{name}</td><td>{escape(format_moment(moment))}</td>"
                f"<td>{value:g}</td></tr>\n"
            )
    out.append("    </tbody></table>\n  </details>\n</figure>")
    return Markup("".join(out))  # noqa: S704 - every interpolated value is escaped above
