"""Measures' scores as charts: one per scale, each partner's line on the practice's chart
code (``practice.charts``), on the measure's own range, with the clinical cutoff's band and
each partner's reliable change where the file defines them, and the couple's step changes,
sessions and slips marked on the same time axis."""

from dataclasses import dataclass
from html import escape

from markupsafe import Markup
from sqlalchemy import select

from practice import charts as chart_core
from practice.charts import html
from practice.charts.core import time_span
from practice.db import session
from practice.models import Checkin, Couple, SessionNote, StepOpening
from practice.services import clock

# Markers read at most (the newest): a long history draws no more than this many.
MARKER_LIMIT = 200


@dataclass
class Figure:
    series: object
    chart: dict
    markup: Markup
    band: dict | None  # {"from": ..., "to": ..., "words": ...}
    changes: list[str]  # "Riley: 3 to 9, a reliable improvement"
    marked: bool = False  # step changes, sessions or slips drawn on it


def grid_for(low: float, high: float) -> list:
    """Four lines from the bottom of the range to its top."""
    values = [low + (high - low) * i / 3 for i in range(4)]
    return [int(v) if float(v).is_integer() else round(v, 1) for v in values]


def band_of(scale: dict) -> dict | None:
    """The clinical side of the cutoff, as a stretch of the range."""
    if "cutoff" not in scale:
        return None
    low, high = scale["range"]
    cutoff = scale["cutoff"]
    if scale["clinical"] == "at-or-above":
        return {"from": cutoff, "to": high, "words": f"clinical range: {cutoff:g} or more"}
    return {"from": low, "to": cutoff, "words": f"clinical range: {cutoff:g} or less"}


def markers(couple: Couple, span: tuple) -> list[tuple]:
    """(moment, words) for the couple's step changes, sessions and reported slips within the
    span (for the practitioner's charts): three queries at any size."""
    start, end = span
    steps = session.execute(
        select(StepOpening.opened_at, StepOpening.step_position)
        .where(
            StepOpening.couple_id == couple.id,
            StepOpening.opened_at >= start,
            StepOpening.opened_at <= end,
        )
        .order_by(StepOpening.opened_at.desc())
        .limit(MARKER_LIMIT)
    ).all()
    sessions = session.execute(
        select(SessionNote.starts_at)
        .where(
            SessionNote.couple_id == couple.id,
            SessionNote.starts_at >= start,
            SessionNote.starts_at <= end,
        )
        .order_by(SessionNote.starts_at.desc())
        .limit(MARKER_LIMIT)
    ).all()
    slips = session.execute(
        select(Checkin.slip_at)
        .where(
            Checkin.couple_id == couple.id,
            Checkin.slip.is_(True),
            Checkin.slip_at >= start,
            Checkin.slip_at <= end,
        )
        .order_by(Checkin.slip_at.desc())
        .limit(MARKER_LIMIT)
    ).all()
    found = [(row.opened_at, f"step {row.step_position} opened") for row in steps]
    found += [(row.starts_at, "session") for row in sessions]
    found += [(row.slip_at, "a slip") for row in slips]
    return sorted(found, key=lambda m: m[0])


def _underlay(chart: dict, band: dict | None, marks: list[tuple], zone) -> str:
    left, right, y_of, x_of = chart["left"], chart["right"], chart["y_of"], chart["x_of"]
    out = []
    if band is not None:
        top, bottom = y_of(band["to"]), y_of(band["from"])
        out.append(
            f'    <rect x="{left}" y="{top:.1f}" width="{right - left}" '
            f'height="{max(bottom - top, 1):.1f}" class="band"><title>{escape(band["words"])}'
            "</title></rect>\n"
        )
    for moment, words in marks:
        x = round(x_of(moment), 1)
        title = escape(f"{words}, {clock.format_datetime_in(moment, zone)}")
        kind = {"session": "session", "a slip": "slip"}.get(words, "step")
        out.append(
            f'    <line x1="{x}" x2="{x}" y1="{chart["grid"][-1][1]}" y2="{chart["bottom"]}" '
            f'class="marker {kind}"><title>{title}</title></line>\n'
        )
    return "".join(out)


def figures(series: list, couple: Couple, *, clinical: bool = True, zone=None) -> list[Figure]:
    """One figure per scale, all on one time axis. ``clinical``: draw the cutoff band and
    say the reliable changes (the practitioner's pages); without it, only the lines."""
    if not series:
        return []
    span = time_span(series)
    marks = markers(couple, span) if clinical else []
    names = {p.id: p.name for p in couple.partners}
    out = []
    for entry in series:
        low, high = entry.scale["range"]
        chart = chart_core.line_chart(
            entry, couple.partners, span, low=low, high=high, grid=grid_for(low, high)
        )
        band = band_of(entry.scale) if clinical else None
        markup = html.figure(
            entry,
            chart,
            couple.partners,
            lambda m: clock.format_datetime_in(m, zone),
            scale_words=f"{entry.measure}, {low:g} to {high:g}",
            underlay=_underlay(chart, band, marks, zone),
            value_name="Score",
        )
        changes = change_words(entry, names) if clinical else []
        out.append(Figure(entry, chart, markup, band, changes, bool(marks)))
    return out


def change_words(entry, names: dict) -> list[str]:
    """Each partner's reliable change in words: "Riley: 3 to 9, a reliable improvement"."""
    threshold = entry.scale.get("reliable_change")
    return [
        f"{names.get(partner_id, 'A partner')}: {moved.first:g} to {moved.latest:g}, "
        f"{moved.words} (a change of {threshold:g} or more counts as reliable)"
        for partner_id, moved in entry.changes.items()
    ]


def pdf_data(series: list, couple: Couple, with_markers: bool = True) -> list[dict]:
    """What ``practice.measures.pdf.measures_section`` draws, as plain data: per scale, its
    range, grid, band, markers, each partner's points by name, and the notes in words.
    ``series`` is already what the PDF's reader may read (services.measures); the markers
    (step changes, sessions, slips) are the practitioner's, left out of a partner's copy."""
    if not series:
        return []
    marks = markers(couple, time_span(series)) if with_markers else []
    names = {p.id: p.name for p in couple.partners}
    out = []
    for entry in series:
        low, high = entry.scale["range"]
        band = band_of(entry.scale)
        notes = []
        if not entry.validated:
            notes.append(f"{entry.measure} is not a validated instrument.")
        if band is not None:
            notes.append(f"The shaded band is the {band['words']}.")
        notes += change_words(entry, names)
        if marks:
            notes.append("Dotted lines: step changes, sessions and slips.")
        out.append(
            {
                "label": entry.label,
                "measure": entry.measure,
                "range": [low, high],
                "grid": grid_for(low, high),
                "band": band,
                "markers": marks,
                "points": {names[pid]: pts for pid, pts in entry.points.items() if pid in names},
                "notes": notes,
            }
        )
    return out
