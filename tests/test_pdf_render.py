"""The PDF renderer on its own: data objects made by hand in, PDFs read back with pypdf and
looked at with pdftoppm. No app, no database."""

import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from practice.pdf import typefaces
from practice.pdf.common import CONFIDENTIAL, render
from practice.pdf.data import (
    RELEASE,
    AddendumItem,
    AgreementLine,
    DiscussedReflection,
    FeedbackItem,
    HandoutPdf,
    HomeworkItem,
    PartnerLine,
    RatingSeries,
    RecordPdf,
    SessionPdf,
    StepRow,
)
from practice.pdf.handout import FOOTER as HANDOUT_FOOTER
from practice.pdf.handout import build_handout_pdf
from practice.pdf.record import build_record_pdf
from practice.pdf.samples import words
from practice.pdf.session import build_session_pdf
from practice.pdf.text import markup, runs

PARTNERS = [
    PartnerLine("Riley", "Partner in recovery"),
    PartnerLine("Jordan", "Partner who was hurt"),
]
CREATED = datetime(2026, 3, 3, 18, 5)


def session(**changes) -> SessionPdf:
    data = SessionPdf(
        practice_name="Harbour Couples Practice",
        practitioner="Sam Okafor",
        credentials="LMFT",
        couple="Riley & Jordan",
        partners=PARTNERS,
        when="Tue 3 Mar 2026, 17:00",
        duration_minutes=50,
        kind="Joint session",
        attendees=["Riley", "Jordan"],
        note_format="SOAP",
        sections=[
            ("Subjective", "SUBJECTIVE-WORDS\nsecond line"),
            ("Objective", "OBJ-WORDS"),
            ("Assessment", "ASSESS-WORDS"),
            ("Plan", "PLAN-WORDS"),
        ],
        step="Step 2 of 7: Ownership",
        reflections=[
            DiscussedReflection(
                "Riley",
                "Apology letter",
                "Mon 2 Mar 2026, 20:00",
                True,
                [("What do you own?", "RILEY-ANSWER")],
                [("Trust", 6)],
            ),
            DiscussedReflection(
                "Jordan",
                "Naming the hurt",
                "Mon 2 Mar 2026, 21:00",
                False,
                [("What hurt most?", "JORDAN-ANSWER")],
                [],
            ),
        ],
        progress=[
            StepRow(1, "Transparency", ["Done", "Done"]),
            StepRow(2, "Ownership", ["In progress", "Done"], current=True),
            StepRow(3, "Boundaries", ["Not yet", "Not yet"]),
        ],
        ratings=[
            RatingSeries(
                "Trust",
                {
                    "Riley": [
                        (datetime(2026, 2, d), v) for d, v in ((2, 3), (9, 4), (16, 6), (23, 7))
                    ],
                    "Jordan": [
                        (datetime(2026, 2, d), v) for d, v in ((2, 2), (9, 2), (16, 4), (23, 5))
                    ],
                },
            )
        ],
        homework=[
            HomeworkItem(
                "Daily check-in", "Both partners", "Tue 10 Mar 2026", "HOMEWORK-INSTRUCTIONS"
            ),
            HomeworkItem("Support map", "Partner in recovery", ""),
        ],
        addenda=[
            AddendumItem("Sam Okafor", "Wed 4 Mar 2026, 09:00", "FIRST-ADDENDUM"),
            AddendumItem("Sam Okafor", "Thu 5 Mar 2026, 09:00", "SECOND-ADDENDUM"),
        ],
        signed_by="Sam Okafor",
        signed_at="Tue 3 Mar 2026, 18:05",
        created=CREATED,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and the spaces around them gone (a wrapped line)."""
    return re.sub(r"\s+", " ", text)


def assert_every_page_numbered(pdf: bytes) -> list[str]:
    """Every page numbered, with the clinicians' confidentiality footer, or on a partner's
    handout their own line instead of it."""
    pages = pages_text(pdf)
    total = len(pages)
    handout = PdfReader(io.BytesIO(pdf)).metadata.subject == "Client handout"
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {total}" in text, f"page {number}"
        if handout:
            assert HANDOUT_FOOTER in text and CONFIDENTIAL not in text, f"page {number} footer"
        else:
            assert CONFIDENTIAL in text, f"page {number} footer"
    return pages


# --- the session note ----------------------------------------------------------------------


def test_session_pdf_carries_the_whole_note():
    pdf = build_session_pdf(session())
    text = flat("\n".join(assert_every_page_numbered(pdf)))
    for expected in (
        "Harbour Couples Practice",
        "Sam Okafor, LMFT",
        "Riley & Jordan",
        "Riley (Partner in recovery)",
        "Jordan (Partner who was hurt)",
        "Tue 3 Mar 2026, 17:00",
        "50 minutes",
        "Joint session",
        "Riley, Jordan",
        "SOAP",
        "Step 2 of 7: Ownership",
        "Subjective",
        "SUBJECTIVE-WORDS",
        "second line",
        "OBJ-WORDS",
        "ASSESS-WORDS",
        "PLAN-WORDS",
        "Apology letter",
        "Mon 2 Mar 2026, 20:00",
        "What do you own?",
        "RILEY-ANSWER",
        "Shared with partner",
        "Trust — 6/10",
        "Naming the hurt",
        "JORDAN-ANSWER",
        "Private to Jordan",
        "Progress through the program",
        "1. Transparency",
        "2. Ownership",
        "(current step)",
        "In progress",
        "Not yet",
        "Ratings over time",
        "Daily check-in",
        "Due: Tue 10 Mar 2026",
        "HOMEWORK-INSTRUCTIONS",
        "Support map",
        "no due date",
        "For: Partner in recovery",
        "Signed by",
        "Tue 3 Mar 2026, 18:05",
    ):
        assert expected in text, expected
    assert text.index("FIRST-ADDENDUM") < text.index("SECOND-ADDENDUM")
    assert "Private to Riley" not in text
    assert "DRAFT" not in text


def test_line_breaks_are_kept_and_markup_is_escaped():
    pdf = build_session_pdf(
        session(
            sections=[
                ("Note", "first line\nsecond line"),
                ("Tags", "<b>not bold</b> & <font size=40>x</font>"),
            ]
        )
    )
    text = "\n".join(pages_text(pdf))
    assert "first line\nsecond line" in text
    assert "<b>not bold</b> & <font size=40>x</font>" in text
    assert markup("a <b> & c\nd") == "a &lt;b&gt; &amp; c<br/>d"


def test_a_draft_is_marked_on_every_page_and_a_signed_note_nowhere():
    long_plan = ("We talk about the week and what was hard. " * 400).strip()
    draft = build_session_pdf(
        session(signed_by=None, signed_at=None, sections=[("Plan", long_plan)])
    )
    pages = assert_every_page_numbered(draft)
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert "DRAFT" in text, f"page {number} of the draft"
    assert "(draft)" in PdfReader(io.BytesIO(draft)).metadata.subject
    signed = build_session_pdf(session(sections=[("Plan", long_plan)]))
    assert all("DRAFT" not in text for text in pages_text(signed))


def test_a_signed_note_is_the_same_on_every_build():
    first, second = build_session_pdf(session()), build_session_pdf(session())
    assert pages_text(first) == pages_text(second)
    assert first == second


def test_metadata():
    meta = PdfReader(io.BytesIO(build_session_pdf(session()))).metadata
    assert meta.title == "Session note: Riley & Jordan, Tue 3 Mar 2026, 17:00"
    assert meta.author == "Sam Okafor, LMFT"
    assert meta.subject == "Session note"
    assert meta.creation_date.replace(tzinfo=None) == CREATED


# --- text in any script ---------------------------------------------------------------------

CORPUS = {
    "latin": "Café crème, naïve Zoë, Ångström, façade, São Paulo, Łódź, Straße",
    "greek": "Καλημέρα εμπιστοσύνη υπομονή",
    "cyrillic": "Привет доверие терпение",
    "hebrew": "שלום אמון וסבלנות",
    "arabic": "مرحبا الثقة والصبر",
    "cjk": "你好世界 信任 こんにちは カタカナ 안녕하세요",
    "emoji": "Feeling 😀 and ❤️ and 🎉 today",
}
RTL = {"hebrew", "arabic"}
NEEDS_SYSTEM_FONT = {"cjk": typefaces.CJK, "emoji": typefaces.SYMBOLS}
# .ci/run installs the fonts and sets this: there, a missing glyph fails instead of skipping.
REQUIRE_FONTS = os.environ.get("PRACTICE_REQUIRE_FONTS") == "1"


def _missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no font on this machine draws (each would print as its
    name): e.g. Hangul where the only CJK font is Droid Sans Fallback."""
    missing = []
    for char in dict.fromkeys(text):
        if char.isspace() or typefaces.is_invisible(char):
            continue
        font = typefaces.font_for(char)
        if font is None or not typefaces.has_glyphs(font, char):
            missing.append(char)
    return missing


def _needs_glyphs(label: str) -> str | None:
    """Why ``label``'s sample cannot be drawn here, or None when it can. With
    PRACTICE_REQUIRE_FONTS=1 it is a failure, never a reason to skip."""
    missing = _missing_glyphs(CORPUS[label])
    if not missing:
        return None
    names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in missing[:3])
    reason = (
        f"{label}: no font on this machine has {len(missing)} of its glyphs ({names}); "
        "install WenQuanYi Micro Hei and Symbola (apt-get install fonts-wqy-microhei "
        "fonts-symbola) or name a font with PRACTICE_PDF_CJK_FONT / PRACTICE_PDF_SYMBOL_FONT"
    )
    assert not REQUIRE_FONTS, reason
    return reason


def test_every_script_renders_and_reads_back():
    items = [(label, text) for label, text in CORPUS.items()]
    pdf = build_session_pdf(
        session(
            sections=items,
            reflections=[
                DiscussedReflection(
                    "Jordan",
                    "Ελληνικά и кириллица",
                    "today",
                    False,
                    [(label, text) for label, text in items],
                    [],
                )
            ],
            couple="Riley & יורדן",
        )
    )
    # pypdf gives Arabic letters as their presentation forms (the shaped glyphs): NFKC turns
    # them back into letters. It gives right-to-left words in the order they are drawn (visual,
    # left to right) with each word's letters in logical order, so a right-to-left line reads
    # back with its words reversed: check each word, and the line in either order.
    text = unicodedata.normalize("NFKC", "\n".join(pages_text(pdf)))
    unreadable = []
    for label, sample in CORPUS.items():
        if reason := _needs_glyphs(label):
            unreadable.append(reason)
            continue
        expected = unicodedata.normalize("NFKC", sample).replace("\ufe0f", "")
        if label in RTL:
            words = expected.split()
            assert all(word in text for word in words), label
            assert " ".join(words) in text or " ".join(reversed(words)) in text, label
        else:
            assert expected in text.replace("\ufe0f", ""), label
    if unreadable:
        pytest.skip("every other script read back; " + "; ".join(unreadable))


@pytest.mark.parametrize("label", sorted(CORPUS))
def test_every_character_has_a_real_glyph(label):
    """No .notdef boxes: each character resolves to a registered font whose cmap has it."""
    if reason := _needs_glyphs(label):
        pytest.skip(reason)
    for char in CORPUS[label]:
        if char.isspace() or typefaces.is_invisible(char):
            continue
        font = typefaces.font_for(char)
        assert font is not None, f"{label}: U+{ord(char):04X}"
        assert typefaces.has_glyphs(font, char), f"{label}: U+{ord(char):04X} in {font}"
        bold = typefaces.font_for(char, typefaces.BOLD)
        assert bold is not None and typefaces.has_glyphs(bold, char)


def test_bundled_font_covers_the_alphabetic_scripts():
    for label in ("latin", "greek", "cyrillic", "hebrew", "arabic"):
        letters = "".join(c for c in CORPUS[label] if not c.isspace())
        assert typefaces.has_glyphs(typefaces.REGULAR, letters), label
        assert typefaces.has_glyphs(typefaces.BOLD, letters), label


def test_a_character_no_font_has_becomes_its_name_not_a_box():
    private_use = "\ue000"
    assert typefaces.font_for(private_use) is None
    assert runs(f"a{private_use}b") == [
        ("PracticeSans", "a", False),
        ("PracticeSans", "[U+E000]", True),
        ("PracticeSans", "b", False),
    ]
    pdf = build_session_pdf(session(sections=[("Odd", f"before {private_use} after")]))
    assert "before [U+E000] after" in "\n".join(pages_text(pdf))


def test_fonts_are_registered_once_per_process():
    from reportlab.pdfbase import pdfmetrics

    build_session_pdf(session())
    font = pdfmetrics.getFont(typefaces.REGULAR)
    typefaces.ensure_fonts()
    build_session_pdf(session())
    assert pdfmetrics.getFont(typefaces.REGULAR) is font


# --- long content ----------------------------------------------------------------------------


def test_long_content_flows_over_pages_without_loss():
    words = [f"w{i}" for i in range(4000)]
    huge = " ".join(words)[:19_990] + " LASTWORDS"
    assert len(huge) >= 20_000
    no_spaces = "https://example.org/" + "x" * 3000 + "/END-OF-URL"
    reflections = [
        DiscussedReflection(
            "Riley",
            f"Exercise {n}",
            "today",
            n % 2 == 0,
            [("Prompt", f"ANSWER-{n} " + "words " * 60)],
            [("Trust", 5)],
        )
        for n in range(30)
    ]
    reflections[-1].answers = [("The long one", huge)]
    pdf = build_session_pdf(
        session(
            reflections=reflections,
            addenda=[AddendumItem("Sam Okafor", f"day {n}", f"ADDENDUM-{n}") for n in range(10)],
            sections=[("Link", no_spaces), ("Hebrew", "שלום עולם " * 1500)],
        )
    )
    pages = assert_every_page_numbered(pdf)
    assert len(pages) >= 15
    text = "\n".join(pages)
    assert "LASTWORDS" in text
    assert all(f"ANSWER-{n}" in text for n in range(29))
    positions = [text.index(f"ADDENDUM-{n}") for n in range(10)]
    assert positions == sorted(positions)
    body = "".join(
        line
        for page in pages
        for line in page.splitlines()
        if " · Session note · " not in line
        and "Confidential:" not in line
        and not line.startswith("Page ")
    )
    assert no_spaces in re.sub(r"\s+", "", body), "a long word is cut over lines, not lost"
    assert text.count("שלום") >= 1500


# One text of every script, long enough to flow over many pages: CORPUS's sample repeated,
# as words and (CJK, Hebrew) with no space at all, where every line is cut out of one word.
LONG_TEXTS = {
    **{label: label for label in CORPUS},
    "mixed": "all",
    "cjk-unspaced": "cjk",
    "hebrew-unspaced": "hebrew",
}


def long_text(kind: str, length: int) -> str:
    """About length characters of kind's sample, between two marker words."""
    label = LONG_TEXTS[kind]
    sample = " ".join(CORPUS.values()) if label == "all" else CORPUS[label]
    unit = sample.replace(" ", "") if kind.endswith("-unspaced") else sample + " "
    return "FIRSTWORDS " + unit * (length // len(unit)) + " LASTWORDS"


def handout_with(text: str) -> HandoutPdf:
    return HandoutPdf(
        practice_name="Harbour Couples Practice",
        practitioner="Sam Okafor, LMFT",
        partner="Riley",
        couple="Riley & Jordan",
        session_when="Tue 3 Mar 2026, 17:00",
        feedback=[FeedbackItem("Apology letter", "Wed 4 Mar 2026", text)],
        created=CREATED,
    )


@pytest.mark.parametrize("kind", sorted(LONG_TEXTS))
def test_a_long_answer_or_note_in_any_script_renders_whole(kind):
    label = LONG_TEXTS[kind]
    for needed in CORPUS if label == "all" else [label]:
        if reason := _needs_glyphs(needed):
            pytest.skip(reason)
    text = long_text(kind, 20_000)
    for pdf in (
        build_handout_pdf(handout_with(text)),
        build_session_pdf(session(sections=[("Plan", text)], reflections=[], addenda=[])),
    ):
        pages = assert_every_page_numbered(pdf)
        assert len(pages) >= 3, kind
        read = "".join(pages)
        assert "FIRSTWORDS" in read and "LASTWORDS" in read, kind
        assert read.index("FIRSTWORDS") < read.index("LASTWORDS"), kind


def _line_breaking_passes(monkeypatch) -> list[int]:
    """Counts, into the list returned, each time a paragraph breaks its text into lines."""
    from reportlab.platypus import Paragraph

    from practice.pdf import text as pdf_text

    passes = [0]
    for owner in (Paragraph, pdf_text.PlainParagraph):
        original = owner.breakLines

        def counted(self, width, original=original):
            passes[0] += 1
            return original(self, width)

        monkeypatch.setattr(owner, "breakLines", counted)
    original_break = pdf_text._break

    def counted_break(tokens, width, size):
        passes[0] += 1
        return original_break(tokens, width, size)

    monkeypatch.setattr(pdf_text, "_break", counted_break)
    return passes


@pytest.mark.parametrize("kind", ["latin", "cjk", "emoji", "hebrew", "mixed", "cjk-unspaced"])
def test_a_long_text_is_broken_into_lines_once_however_many_pages_it_fills(kind, monkeypatch):
    """Twice the text, twice the pages, and still one line-breaking pass over it: the part
    left for the next page keeps its lines (breaking the rest again on every page made a
    long text's time grow with the square of its length)."""
    passes = _line_breaking_passes(monkeypatch)
    counts, page_counts = [], []
    for length in (15_000, 30_000):
        passes[0] = 0
        pdf = build_handout_pdf(handout_with(long_text(kind, length)))
        counts.append(passes[0])
        page_counts.append(len(PdfReader(io.BytesIO(pdf)).pages))
    assert page_counts[1] >= page_counts[0] + 2, page_counts
    assert counts[0] == counts[1], f"{kind}: {counts} passes for {page_counts} pages"


def test_a_long_right_to_left_word_is_measured_in_proportion_to_its_length(monkeypatch):
    """A word longer than a line is cut where each line fills up: the characters measured
    (unshaped widths and shaping) grow with the word, not with its square."""
    from reportlab.pdfbase import pdfmetrics

    from practice.pdf import text as pdf_text

    measured = [0]
    string_width, shape = pdfmetrics.stringWidth, pdf_text.shapeStr

    def counted_width(text, *args, **kwargs):
        measured[0] += len(text)
        return string_width(text, *args, **kwargs)

    def counted_shape(text, *args, **kwargs):
        measured[0] += len(text)
        return shape(text, *args, **kwargs)

    monkeypatch.setattr(pdfmetrics, "stringWidth", counted_width)
    monkeypatch.setattr(pdf_text, "shapeStr", counted_shape)
    counts = []
    for length in (10_000, 20_000):
        measured[0] = 0
        build_handout_pdf(handout_with(long_text("hebrew-unspaced", length)))
        counts.append(measured[0])
    assert counts[1] <= 2.2 * counts[0], counts


# --- the handout and the record ---------------------------------------------------------------


def test_the_handout_carries_homework_and_feedback_and_nothing_else():
    note = session(sections=[("Note", "CLINICAL-NOTE-MARKER")])
    handout = HandoutPdf(
        practice_name=note.practice_name,
        practitioner="Sam Okafor, LMFT",
        partner="Riley",
        couple=note.couple,
        session_when=note.when,
        homework=[h for h in note.homework if h.for_whom != "Partner who was hurt"],
        feedback=[FeedbackItem("Apology letter", "Wed 4 Mar 2026", "FEEDBACK-FOR-RILEY")],
        own_reflections=[r for r in note.reflections if r.author == "Riley"],
        created=CREATED,
    )
    pdf = build_handout_pdf(handout)
    text = flat("\n".join(assert_every_page_numbered(pdf)))
    for expected in (
        "Handout for Riley",
        "Daily check-in",
        "HOMEWORK-INSTRUCTIONS",
        "Due: Tue 10 Mar 2026",
        "Support map",
        "FEEDBACK-FOR-RILEY",
        "RILEY-ANSWER",
    ):
        assert expected in text, expected
    for forbidden in (
        "CLINICAL-NOTE-MARKER",
        "JORDAN-ANSWER",
        "SUBJECTIVE-WORDS",
        "FIRST-ADDENDUM",
        "DRAFT",
    ):
        assert forbidden not in text, forbidden
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.subject == "Client handout" and meta.author == "Sam Okafor, LMFT"


def test_the_record_has_a_cover_then_every_session_in_order():
    sessions = [
        session(
            when=f"SESSION-{n} Mar 2026",
            addenda=[AddendumItem("Sam Okafor", "later", f"ADDENDUM-OF-{n}")],
        )
        for n in range(1, 6)
    ]
    pdf = build_record_pdf(
        RecordPdf(
            "Harbour Couples Practice",
            "Riley & Jordan",
            PARTNERS,
            sessions,
            "Mon 1 Jun 2026, 10:00",
            created=CREATED,
        )
    )
    pages = assert_every_page_numbered(pdf)
    assert "Exported" in pages[0] and "Mon 1 Jun 2026, 10:00" in pages[0]
    assert "Partner in recovery" in pages[0]
    body = "\n".join(pages[1:])
    positions = [body.index(f"Session note: Riley & Jordan\nSESSION-{n}") for n in range(1, 6)]
    assert positions == sorted(positions)
    assert all(f"ADDENDUM-OF-{n}" in body for n in range(1, 6))
    assert len(pages) > 5
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Record: Riley & Jordan"


# --- looking at the chart -------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_ratings_chart_is_drawn(tmp_path):
    from PIL import Image

    from practice.pdf.charts import CHART_HEIGHT, ratings_section
    from practice.pdf.common import MARGIN_TOP, MARGIN_X, PAGE

    data = session()
    pdf = render(
        ratings_section(data.ratings, ["Riley", "Jordan"]),
        title="chart",
        author="t",
        subject="t",
        created=CREATED,
        creator="t",
    )
    (tmp_path / "chart.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "chart.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    scale = image.width / PAGE[0]
    top = int((MARGIN_TOP + 30) * scale)  # below the legend and the chart's title
    box = (
        int(MARGIN_X * scale),
        top,
        int((PAGE[0] - MARGIN_X) * scale),
        int(top + CHART_HEIGHT * scale),
    )
    raw = image.crop(box).tobytes()
    pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    ink = [p for p in pixels if sum(p) < 3 * 235]
    assert len(ink) > 0.02 * len(pixels), "the chart's area has ink"
    blue = [p for p in ink if p[2] > p[0] + 40]
    orange = [p for p in ink if p[0] > p[2] + 40]
    assert len(blue) > 20 and len(orange) > 20, "one coloured line per partner"


def _visual_words(line: str) -> list[str]:
    from practice.pdf.text import _base_rtl, _tokens, _visual

    tokens = _tokens(line, typefaces.REGULAR, 10)
    return [t.text for t in _visual(tokens, _base_rtl(line)) if t.kind != "S"]


def test_right_to_left_runs_are_ordered_by_the_bidi_rules():
    # a right-to-left phrase inside left-to-right text: the phrase's words swap
    assert _visual_words("abc שלום עולם def") == ["abc", "עולם", "שלום", "def"]
    # a left-to-right phrase inside right-to-left text keeps its own order
    assert _visual_words("שלום abc def עולם") == ["עולם", "abc", "def", "שלום"]
    # numbers read left to right inside right-to-left text
    assert _visual_words("שלום 123 עולם") == ["עולם", "123", "שלום"]
    # punctuation at the end of a right-to-left sentence goes to its left
    assert _visual_words("שלום עולם.") == [".", "עולם", "שלום"]


# A Hebrew sentence with a time and an English name: "meeting at 10:30 with Dana Cohen".
MIXED = "פגישה ב-10:30 עם Dana Cohen"


def test_a_mixed_line_follows_the_unicode_bidi_algorithm_not_word_reversal():
    naive = " ".join(reversed(MIXED.split()))  # "Cohen Dana עם ב-10:30 פגישה"
    # The UBA keeps the English name in its own order and the time left to right, with the
    # prefix letter and its hyphen on the time's right (where a Hebrew reader expects them).
    assert _visual_words(MIXED) == ["Dana", "Cohen", "עם", "10", ":", "30", "-", "ב", "פגישה"]
    pdf = build_session_pdf(session(sections=[("Mixed", MIXED)]))
    lines = unicodedata.normalize("NFKC", "\n".join(pages_text(pdf))).splitlines()
    # pypdf reads the runs in the order drawn, each run's letters in logical order
    assert any(line.strip() == "Dana Cohen עם 10:30-ב פגישה" for line in lines)
    assert not any(naive in line for line in lines)


def test_line_order_matches_python_bidi_on_mixed_text():
    """Runs drawn in the order python-bidi's get_display gives, brackets and numbers too."""
    import random

    from bidi import get_display

    from practice.pdf.text import _base_rtl, _tokens, _visual

    pieces = [*"שלוםאב", *"abcXY", *"0123456789", *" .,:-%$()[]\"'!?/+", "مر", "حب", "٣"]
    pick = random.Random(10)
    for _ in range(300):
        line = "".join(pick.choice(pieces) for _ in range(pick.randint(1, 30)))
        runs_ = _visual(_tokens(line, typefaces.REGULAR, 10), _base_rtl(line))
        drawn = "".join(t.text[::-1] if t.level % 2 else t.text for t in runs_)
        assert drawn == get_display(line), line


def test_long_tables_split_over_pages_and_repeat_their_header():
    progress = [StepRow(n, f"STEP-{n}", ["Done", "Done"]) for n in range(1, 121)]
    pdf = build_session_pdf(session(progress=progress))
    pages = assert_every_page_numbered(pdf)
    text = "\n".join(pages)
    assert all(f"{n}. STEP-{n}\n" in text for n in range(1, 121))
    with_header = [p for p in pages if "STEP-" in p]
    assert len(with_header) >= 2
    assert all("Step\nRiley\nJordan\n" in p for p in with_header)


def test_a_table_row_taller_than_a_page_still_renders():
    huge = "Riley " * 5000 + "END-OF-NAME"
    pdf = build_session_pdf(session(couple=huge))
    text = "\n".join(assert_every_page_numbered(pdf))
    assert text.count("END-OF-NAME") >= 2  # the title and the facts


def test_without_system_fonts_cjk_and_emoji_show_their_names(tmp_path):
    """A machine without the CJK and emoji fonts still renders: each such character becomes
    its Unicode name, visibly, never a box and never nothing."""
    script = (
        "from tests.test_pdf_render import session, pages_text\n"
        "from practice.pdf.session import build_session_pdf\n"
        "pdf = build_session_pdf(session(sections=[('x', 'hi 你 and 🎉')]))\n"
        "print('\\n'.join(pages_text(pdf)))\n"
    )
    env = {**os.environ, "PRACTICE_PDF_SYSTEM_FONTS": "0"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    assert "hi [CJK UNIFIED IDEOGRAPH-4F60] and [PARTY POPPER]" in done.stdout


def test_in_a_record_only_a_drafts_pages_are_marked_draft():
    notes = [
        session(when="S1"),
        session(when="S2", signed_by=None, signed_at=None),
        session(when="S3"),
    ]
    pdf = build_record_pdf(
        RecordPdf("P", "Riley & Jordan", PARTNERS, notes, "now", created=CREATED)
    )
    pages = assert_every_page_numbered(pdf)
    for text in pages:
        assert ("DRAFT" in text) == ("· S2" in text)


# --- what a clinic files --------------------------------------------------------------------

POLICY_WORDS = (
    "POLICY-START What each of you tells me alone stays between us, unless it puts someone at "
    "risk. I will help you bring anything important into a joint session yourselves, and I "
    "will not keep a secret that stops the work we agreed to do together. POLICY-END"
)
SIX = ("Trust", "Safety", "Connection", "Hope", "Honesty", "Calm")


def one_dot_each() -> list[RatingSeries]:
    """Six series, each partner rated once: nothing a chart could draw a line through."""
    return [
        RatingSeries(
            label,
            {"Riley": [(datetime(2026, 3, 2, 20), 5)], "Jordan": [(datetime(2026, 3, 2, 21), 4)]},
        )
        for label in SIX
    ]


def agreed() -> list[AgreementLine]:
    return [
        AgreementLine("Riley", "Limited secrets", "Mon 2 Feb 2026, 10:00", POLICY_WORDS),
        AgreementLine("Jordan", "Limited secrets", "Mon 2 Feb 2026, 11:30", POLICY_WORDS),
    ]


def short_dap(**changes) -> SessionPdf:
    """A typical short DAP note: three short sections, two reflections discussed."""
    data = session(
        note_format="DAP",
        sections=[
            ("Data", words(90, 1)),
            ("Assessment", words(60, 2)),
            ("Plan", words(40, 3)),
        ],
        ratings=one_dot_each(),
        agreements=agreed(),
        addenda=[],
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_a_short_dap_note_is_two_pages_at_most_signed_right_after_the_note():
    pdf = build_session_pdf(short_dap())
    pages = assert_every_page_numbered(pdf)
    assert len(pages) <= 2
    text = flat("\n".join(pages))
    order = ["Note: DAP", "Plan", "Signature", "By signing", "Reflections discussed"]
    order += ["Apology letter", "Homework for next time", "Progress through the program"]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    # The policy by name, with who agreed when; its words are in the record, not here.
    assert (
        "Limited secrets: agreed by Riley on Mon 2 Feb 2026, 10:00; "
        "Jordan on Mon 2 Feb 2026, 11:30" in text
    )
    assert POLICY_WORDS[:60] not in text
    # One dot per series draws no chart.
    assert "Ratings over time" not in text


def test_charts_come_once_at_the_end_and_only_where_a_line_can_be_drawn():
    two = RatingSeries("Trust", {"Riley": [(datetime(2026, 2, d), 3 + d % 4) for d in (9, 23)]})
    one = RatingSeries("Safety", {"Riley": [(datetime(2026, 2, 9), 6)]})
    text = flat("\n".join(pages_text(build_session_pdf(short_dap(ratings=[one, two])))))
    assert text.count("Ratings over time") == 1
    assert text.index("Ratings over time") > text.index("Progress through the program")
    assert text.index("Ratings over time") > text.index("Signature")
    assert "Fewer than two ratings, not charted: Safety" in text


def test_a_charts_time_axis_ends_at_the_session():
    ratings = [
        RatingSeries(
            "Trust",
            {
                # The last one came after the session (the note was signed two days later).
                "Riley": [(datetime(2026, 2, d, 20), 4) for d in (3, 10, 17, 24)]
                + [(datetime(2026, 3, 5, 9), 9)],
                "Jordan": [(datetime(2026, 2, d, 21), 3) for d in (3, 17)],
            },
        )
    ]
    pdf = build_session_pdf(short_dap(ratings=ratings, charts_until=datetime(2026, 3, 3, 17, 50)))
    chart_page = next(t for t in pages_text(pdf) if "Ratings over time" in t)
    labels = re.findall(r"\b(\d{1,2} (?:Feb|Mar) 26)\b", chart_page)
    assert labels and labels[-1] == "3 Mar 26", labels
    assert "4 Mar 26" not in labels and "5 Mar 26" not in labels


def test_a_rating_reads_question_then_value():
    reflection = DiscussedReflection(
        "Riley",
        "Weekly check",
        "Mon 2 Mar 2026, 20:00",
        True,
        [("What happened?", "Words")],
        [("How safe did you feel with your partner this week?", 7), ("Trust", 6)],
    )
    text = flat("\n".join(pages_text(build_session_pdf(short_dap(reflections=[reflection])))))
    assert "How safe did you feel with your partner this week? — 7/10" in text
    assert "Trust — 6/10" in text
    assert "?: 7/10" not in text


def _lowest_line(page) -> tuple[str, bool]:
    """The lowest line of a page's body (above the footer, below the header): its text,
    and whether it is a heading (bold, at least body size)."""
    rows = []

    def visit(text, cm, tm, font, size):
        y = cm[5] + tm[5] * cm[3]
        if text.strip() and 40 < y < 790:
            bold = "Bold" in str((font or {}).get("/BaseFont", ""))
            rows.append((y, text.strip(), bold and size >= 9.5))

    page.extract_text(visitor_text=visit)
    _, text, heading = min(rows)
    return text, heading


def test_no_heading_is_left_alone_at_the_foot_of_a_page():
    """The note's first section grows a little at a time, so every heading after it comes
    to the foot of a page at some length."""
    from practice.pdf.samples import sample_session

    alone = []
    for step in range(45):
        data = sample_session(reflections=3, answer_words=120)
        data.sections = [
            ("Data", words(60 + 10 * step, 1)),
            ("Assessment", words(80, 2)),
            ("Plan", words(50, 3)),
        ]
        for number, page in enumerate(PdfReader(io.BytesIO(build_session_pdf(data))).pages, 1):
            text, heading = _lowest_line(page)
            if heading:
                alone.append((step, number, text))
    assert not alone, alone


def test_the_record_carries_the_policy_and_the_charts_once():
    trend = [
        RatingSeries("Trust", {"Riley": [(datetime(2026, 2, d), 3 + d % 5) for d in (2, 9, 16)]})
    ]
    notes = [
        short_dap(when=f"SESSION-{n}", ratings=trend, charts_until=datetime(2026, 3, n))
        for n in range(1, 5)
    ]
    pdf = build_record_pdf(
        RecordPdf(
            "Harbour Couples Practice",
            "Riley & Jordan",
            PARTNERS,
            notes,
            "Mon 1 Jun 2026, 10:00",
            agreements=agreed(),
            created=CREATED,
            ratings=trend,
            charts_until=datetime(2026, 6, 1, 10),
        )
    )
    pages = assert_every_page_numbered(pdf)
    text = flat("\n".join(pages))
    assert text.count("POLICY-START") == 1 and text.count("POLICY-END") == 1
    assert text.count("Ratings over time") == 1
    assert "Ratings over time" in pages[-1]
    assert all(f"SESSION-{n}" in text for n in range(1, 5))


def test_a_release_copy_is_named_for_its_partner_and_says_what_it_leaves_out():
    pdf = build_record_pdf(
        RecordPdf(
            "Harbour Couples Practice",
            "Riley & Jordan",
            PARTNERS,
            [short_dap()],
            "Mon 1 Jun 2026, 10:00",
            created=CREATED,
            kind=RELEASE,
            for_partner="Jordan",
            left_out=["What Riley wrote and did not share with Jordan."],
        )
    )
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "Release copy for Jordan: record of Riley & Jordan"
    first = flat(pages_text(pdf)[0])
    assert "Release copy for Jordan" in first
    assert "What this copy leaves out" in first
    assert "What Riley wrote and did not share with Jordan." in first


def test_the_handout_carries_the_steps_guidance(tmp_path):
    handout = HandoutPdf(
        practice_name="Harbour Couples Practice",
        practitioner="Sam Okafor, LMFT",
        partner="Jordan",
        couple="Riley & Jordan",
        session_when="Tue 3 Mar 2026, 17:00",
        homework=[HomeworkItem("Daily check-in", "Both of you", "Tue 10 Mar 2026", "Ten minutes")],
        guidance=[("Step 3: Boundaries", "Boundaries are not punishments. STEP-GUIDANCE")],
        created=CREATED,
    )
    pdf = build_handout_pdf(handout)
    text = flat("\n".join(assert_every_page_numbered(pdf)))
    assert "About this step" in text and "Step 3: Boundaries" in text
    assert text.index("STEP-GUIDANCE") < text.index("Your homework")
    assert "For: Both of you" in text
