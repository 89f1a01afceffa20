"""How fast the session PDF is, against WeasyPrint and against bare reportlab.

    python bench/pdf_bench.py [--runs 20]

The same content three ways: build_session_pdf (the app), HTML+CSS through WeasyPrint
(installed only for this benchmark: `pip install weasyprint`; skipped if absent) and bare
reportlab platypus with no app code (standard Helvetica, the same paragraphs, tables and
chart shapes). Then a couple's record of 50 sessions: time, and peak memory measured in a
fresh subprocess. Targets: < 60 ms per session PDF, >= 10x faster than WeasyPrint, app
within 1.5x of bare reportlab, 50-session record < 2 s and < 200 MB.
"""

import argparse
import html
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader  # noqa: E402

from practice.pdf.data import SessionPdf  # noqa: E402
from practice.pdf.samples import sample_session  # noqa: E402
from practice.pdf.session import build_session_pdf  # noqa: E402


def medians_ms(builds: dict, runs: int, warmup: int = 3) -> dict[str, tuple[float, float]]:
    """Median wall and CPU time of each build, run in turn (a, b, a, b, ...) so that a busy
    moment on a shared machine slows all of them alike and the ratios stay fair."""
    for build in builds.values():
        for _ in range(warmup):
            build()
    walls: dict[str, list[float]] = {name: [] for name in builds}
    cpus: dict[str, list[float]] = {name: [] for name in builds}
    for _ in range(runs):
        for name, build in builds.items():
            start, cpu = time.perf_counter(), time.process_time()
            build()
            walls[name].append((time.perf_counter() - start) * 1000)
            cpus[name].append((time.process_time() - cpu) * 1000)
    return {n: (statistics.median(walls[n]), statistics.median(cpus[n])) for n in builds}


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- bare reportlab: what someone would write with no app code ---------------------------


def bare_reportlab(data: SessionPdf) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    ss = getSampleStyleSheet()
    body, h2, h3 = ss["BodyText"], ss["Heading2"], ss["Heading3"]
    out = io.BytesIO()

    def footer(canvas, doc):
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(18 * mm, 10 * mm, "Confidential: contains health information.")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {canvas.getPageNumber()}")

    def p(text, style=body):
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story = [p(data.practice_name), p(f"Session note: {data.couple}", ss["Title"])]
    facts = [("Practitioner", f"{data.practitioner}, {data.credentials}"),
             ("Couple", data.couple),
             ("Partners", "\n".join(f"{x.name} ({x.role})" for x in data.partners)),
             ("Date and time", data.when), ("Length", f"{data.duration_minutes} minutes"),
             ("Kind", data.kind), ("Attended", ", ".join(data.attendees)),
             ("Note format", data.note_format), ("Program step", data.step)]
    story.append(Table([[p(k), p(v)] for k, v in facts], colWidths=[36 * mm, None]))
    story.append(p("Note", h2))
    for heading, text in data.sections:
        story.append(p(heading, h3))
        story += [p(block) for block in text.split("\n\n")]
    story.append(p("Reflections discussed", h2))
    for r in data.reflections:
        story += [p(r.exercise, h3), p(f"{r.author} · {r.submitted}")]
        story.append(p("Shared with partner" if r.shared else f"Private to {r.author}"))
        for prompt, answer in r.answers:
            story += [p(prompt, ss["Heading4"]), p(answer)]
        story.append(p("Ratings: " + " · ".join(f"{q}: {v}/10" for q, v in r.ratings)))
    story.append(p("Progress", h2))
    story.append(Table([["Step"] + [x.name for x in data.partners]]
                       + [[f"{s.position}. {s.title}"] + s.states for s in data.progress]))
    story.append(p("Ratings over time", h2))
    for series in data.ratings:
        d = Drawing(480, 150)
        for v in range(1, 11):
            d.add(Line(22, 16 + v * 12, 470, 16 + v * 12, strokeColor=colors.lightgrey))
            d.add(String(18, 14 + v * 12, str(v), fontSize=6.5, textAnchor="end"))
        for i, points in enumerate(series.points.values()):
            xy = []
            for k, (_, value) in enumerate(points):
                xy += [22 + k * 448 / max(1, len(points) - 1), 16 + value * 12]
                d.add(String(22 + k * 448 / max(1, len(points) - 1), 4, str(k), fontSize=6.5))
            d.add(PolyLine(xy, strokeColor=[colors.blue, colors.red][i % 2], strokeWidth=1.6))
        story += [p(series.label, h3), d]
    story.append(p("Homework", h2))
    for h in data.homework:
        story += [p(h.title, h3), p(f"For: {h.for_whom} · Due: {h.due}"), p(h.instructions)]
    story.append(p("Signature", h2))
    story.append(p(f"Signed by {data.signed_by} on {data.signed_at}"))
    story.append(p("Addenda", h2))
    for a in data.addenda:
        story += [p(f"{a.signed_by}, {a.signed_at}", h3), p(a.text)]
    SimpleDocTemplate(out, pagesize=A4, title="Session note").build(
        story, onFirstPage=footer, onLaterPages=footer
    )
    return out.getvalue()


# --- WeasyPrint: the same content as HTML and CSS -----------------------------------------

CSS = """
@page { size: A4; margin: 22mm 18mm 20mm;
  @top-left { content: string(header); font-size: 7.5pt; color: #5b6570 }
  @bottom-left { content: "Confidential: contains health information."; font-size: 7.5pt }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 7.5pt } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35 }
h1 { font-size: 17pt } h2 { font-size: 12.5pt; color: #2b5d8a } h3 { font-size: 10.5pt }
table { border-collapse: collapse; width: 100% } td, th { border-bottom: .4pt solid #ccc;
  text-align: left; vertical-align: top; padding: 3pt }
.private { color: #a3262e; font-weight: bold } .muted { color: #5b6570; font-size: 8.5pt }
.header { string-set: header content(); display: none }
"""


def session_html(data: SessionPdf) -> str:
    e = html.escape
    out = [f"<html><head><style>{CSS}</style></head><body>",
           f"<p class=header>{e(data.practice_name)} · Session note · {e(data.couple)} · "
           f"{e(data.when)}</p>",
           f"<p class=muted>{e(data.practice_name)}</p><h1>Session note: {e(data.couple)}</h1>",
           "<table>"]
    facts = [("Practitioner", f"{data.practitioner}, {data.credentials}"),
             ("Couple", data.couple),
             ("Partners", "; ".join(f"{x.name} ({x.role})" for x in data.partners)),
             ("Date and time", data.when), ("Length", f"{data.duration_minutes} minutes"),
             ("Kind", data.kind), ("Attended", ", ".join(data.attendees)),
             ("Note format", data.note_format), ("Program step", data.step)]
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts]
    out.append("</table><h2>Note</h2>")
    for heading, text in data.sections:
        out.append(f"<h3>{e(heading)}</h3>")
        out += [f"<p>{e(block)}</p>" for block in text.split("\n\n")]
    out.append("<h2>Reflections discussed</h2>")
    for r in data.reflections:
        out.append(f"<h3>{e(r.exercise)}</h3><p class=muted>{e(r.author)} · {e(r.submitted)}</p>")
        out.append("<p class=muted>Shared with partner</p>" if r.shared
                   else f"<p class=private>Private to {e(r.author)}</p>")
        for prompt, answer in r.answers:
            out.append(f"<p><b>{e(prompt)}</b></p><p>{e(answer)}</p>")
        out.append("<p class=muted>Ratings: "
                   + " · ".join(f"{e(q)}: {v}/10" for q, v in r.ratings) + "</p>")
    out.append("<h2>Progress</h2><table><tr><th>Step</th>"
               + "".join(f"<th>{e(x.name)}</th>" for x in data.partners) + "</tr>")
    for s in data.progress:
        out.append(f"<tr><td>{s.position}. {e(s.title)}</td>"
                   + "".join(f"<td>{e(x)}</td>" for x in s.states) + "</tr>")
    out.append("</table><h2>Ratings over time</h2><p class=muted>"
               + " ".join(f"<span style='color:{c}'>&#9472;&#9472;</span> {e(x.name)}"
                          for x, c in zip(data.partners, ["#1f5fa8", "#c2410c"], strict=False))
               + "</p>")
    for series in data.ratings:  # the chart as inline SVG
        lines = []
        for i, points in enumerate(series.points.values()):
            xy = " ".join(f"{22 + k * 448 / max(1, len(points) - 1):.1f},{136 - v * 12}"
                          for k, (_, v) in enumerate(points))
            lines.append(f'<polyline points="{xy}" fill="none" stroke-width="1.6" '
                         f'stroke="{["#1f5fa8", "#c2410c"][i % 2]}"/>')
        grid = "".join(f'<line x1="22" x2="470" y1="{136 - v * 12}" y2="{136 - v * 12}" '
                       f'stroke="#ccc"/>' for v in range(1, 11))
        out.append(f"<h3>{e(series.label)}</h3><svg width='480' height='150'>{grid}"
                   + "".join(lines) + "</svg>")
    out.append("<h2>Homework</h2>")
    for h in data.homework:
        out.append(f"<h3>{e(h.title)}</h3><p class=muted>For: {e(h.for_whom)} · Due: "
                   f"{e(h.due)}</p><p>{e(h.instructions)}</p>")
    out.append(f"<h2>Signature</h2><p>Signed by {e(data.signed_by or '')}</p><h2>Addenda</h2>")
    out += [f"<h3>{e(a.signed_by)}</h3><p>{e(a.text)}</p>" for a in data.addenda]
    return "".join(out) + "</body></html>"


# --- the record, in a fresh process so its peak memory is its own --------------------------

RECORD_CHILD = """
import json, sys, time, tracemalloc


def peak_rss_mb():  # VmHWM: this process image's peak RSS (ru_maxrss can carry the parent's)
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


from practice.pdf.record import build_record_pdf
from practice.pdf.samples import sample_record
from practice.pdf.session import build_session_pdf
from practice.pdf.samples import sample_session
build_session_pdf(sample_session(reflections=1))  # fonts registered, modules warm
data = sample_record(50)
base = peak_rss_mb()
tracemalloc.start()
start = time.perf_counter()
pdf = build_record_pdf(data)
seconds = time.perf_counter() - start
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
walls, cpus = [], []
for _ in range(3):
    start, cpu = time.perf_counter(), time.process_time()
    build_record_pdf(data)
    walls.append(time.perf_counter() - start)
    cpus.append(time.process_time() - cpu)
untraced = sorted(walls)[1]
from pypdf import PdfReader
import io
pages = len(PdfReader(io.BytesIO(pdf)).pages)
print(json.dumps({"pages": pages, "seconds": untraced, "cpu_seconds": sorted(cpus)[1],
                  "traced_seconds": seconds, "bytes": len(pdf),
                  "python_peak_mb": peak / 2**20,
                  "rss_mb": peak_rss_mb(), "rss_before_mb": base}))
sys.stdout.flush()
"""


def record_in_subprocess() -> dict:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", RECORD_CHILD], capture_output=True, text=True,
                          cwd=root, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    data = sample_session(reflections=12, answer_words=250)
    app_pdf = build_session_pdf(data)
    bare_pdf = bare_reportlab(data)
    print(f"session PDF: {pages(app_pdf)} pages, {len(app_pdf):,} bytes (app); "
          f"bare reportlab {pages(bare_pdf)} pages")

    builds = {"app": lambda: build_session_pdf(data), "bare": lambda: bare_reportlab(data)}
    try:
        from weasyprint import HTML
    except Exception as error:  # not installed, or its system libraries are missing
        HTML = None  # noqa: N806
        print(f"weasyprint: skipped ({type(error).__name__}: {error}); "
              "pip install weasyprint to compare")
    else:
        source = session_html(data)
        weasy_pdf = HTML(string=source).write_pdf()
        builds["weasyprint"] = lambda: HTML(string=source).write_pdf()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; other work skews times)")
    ms = medians_ms(builds, args.runs)
    (app, app_cpu), (bare, bare_cpu) = ms["app"], ms["bare"]
    print(f"app (build_session_pdf)  median {app:7.1f} ms per PDF (CPU {app_cpu:.1f} ms)  "
          f"(target < 60 ms)")
    print(f"bare reportlab platypus  median {bare:7.1f} ms per PDF (CPU {bare_cpu:.1f} ms)")
    print(f"app / bare               {app / bare:7.2f} x          (target <= 1.5x)")
    if HTML is not None:
        weasy, weasy_cpu = ms["weasyprint"]
        print(f"weasyprint               median {weasy:7.1f} ms per PDF (CPU {weasy_cpu:.1f} ms, "
              f"{pages(weasy_pdf)} pages)")
        print(f"weasyprint / app         {weasy / app:7.1f} x          (target >= 10x)")

    record = record_in_subprocess()
    print(f"record of 50 sessions    {record['seconds']:7.2f} s median of 3 "
          f"({record['cpu_seconds']:.2f} s CPU), {record['pages']} pages, "
          f"{record['bytes']:,} bytes  (target < 2 s)")
    print(f"  peak memory            {record['rss_mb']:7.1f} MB max RSS of the whole process "
          f"({record['rss_before_mb']:.1f} MB after imports and data, before the builds); "
          f"Python heap peak of one build {record['python_peak_mb']:.1f} MB  (target < 200 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
