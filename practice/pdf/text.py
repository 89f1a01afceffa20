"""User text into flowables: escaped, font per run, line breaks kept, right-to-left laid out.

Left-to-right text (any script the fonts cover) becomes a reportlab ``Paragraph`` whose markup
sets each run's font. Text with Hebrew, Arabic or another right-to-left script becomes a
``BidiParagraph``: python-bidi resolves each character's level by the Unicode
Bidirectional Algorithm (UAX #9), this module breaks the lines, orders each line's runs by
those levels, and draws each run, shaped by HarfBuzz (uharfbuzz) where it is right-to-left,
so Arabic letters join and Hebrew reads right to left. Runs stay in logical order inside,
because HarfBuzz shapes logical text. (reportlab's own bidi support needs ``rlbidi``,
which PyPI does not carry.)
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from xml.sax.saxutils import escape

from bidi import algorithm as uba
from bidi import get_base_level, get_display
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import (
    FragLine,
    _processed_frags,
    _split_blParaHard,
    _split_blParaSimple,
)
from reportlab.rl_config import _FUZZ

from practice.pdf.typefaces import BOLD, REGULAR, font_for, is_invisible, replacement

REPLACEMENT_COLOR = "#777777"

_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_ASCII_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\U0001f3fb-\U0001f3ff]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_MIRROR = str.maketrans(MIRRORED)  # rule L4: brackets and the like face the other way


def normalise(text: str | None) -> str:
    """Line ends as \\n, tabs as spaces, no stray ASCII controls; emoji skin-tone modifiers
    go (no font here draws them joined: the emoji itself is shown)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return text if text.isascii() and text.isprintable() else _ASCII_CONTROLS.sub("", text)


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def runs(text: str, primary: str = REGULAR) -> list[tuple[str, str, bool]]:
    """Split text into (font, text, is_replacement) runs: each run in the first font of the
    chain that has all its characters, or a bracketed name where no font has one."""
    if text.isascii():
        return [(primary, text, False)] if text else []
    out: list[tuple[str, str, bool]] = []
    font: str | None = None
    buf: list[str] = []
    for char in text:
        name = primary if char == "\n" else font_for(char, primary)
        if name is None:
            if is_invisible(char):
                continue
            if buf:
                out.append((font, "".join(buf), False))
                buf, font = [], None
            out.append((primary, replacement(char), True))
            continue
        if name != font:
            if buf:
                out.append((font, "".join(buf), False))
            buf, font = [char], name
        else:
            buf.append(char)
    if buf:
        out.append((font, "".join(buf), False))
    return out


def markup(text: str | None, primary: str = REGULAR) -> str:
    """User text as Paragraph markup: escaped, each run in its font, line breaks kept."""
    text = normalise(text)
    if text.isascii():
        return escape(text).replace("\n", "<br/>")
    parts = []
    for font, chunk, replaced in runs(text, primary):
        chunk = escape(chunk).replace("\n", "<br/>")
        if replaced:
            parts.append(f'<font color="{REPLACEMENT_COLOR}">{chunk}</font>')
        elif font != primary:
            parts.append(f'<font name="{font}">{chunk}</font>')
        else:
            parts.append(chunk)
    return "".join(parts)


def para(text: str | None, style, prefix: str = "", align_rtl: bool = False) -> Flowable:
    """One flowable for a short text (a name, a title, a line); prefix is trusted markup.
    Right-to-left lines are ordered right to left; align_rtl also sets them flush right
    (for running text; names and titles stay flush left with everything else)."""
    text = normalise(text)
    if has_rtl(text):
        return BidiParagraph(text, style, prefix=prefix, align_rtl=align_rtl)
    if not prefix and "\n" not in text:
        plain = _one_font_text(text, style.fontName)
        if plain is not None:
            return _plain_paragraph(plain, style)
    return TextParagraph(prefix + markup(text, style.fontName), style)


_frag_templates: dict[int, tuple] = {}


def _one_font_text(text: str, primary: str) -> str | None:
    """text as the primary font draws it (without invisible characters it lacks), or None
    when some of it needs another font or a name in brackets."""
    if text.isascii():
        return text if text.isprintable() else None
    found = runs(text, primary)
    if len(found) == 1 and found[0][0] == primary and not found[0][2]:
        return found[0][1]
    return None if found else ""


def _plain_paragraph(text: str, style) -> Paragraph:
    """A Paragraph of one-font text without markup, built without running reportlab's markup
    parser (the text needs no escaping then: it is never parsed). Same result, a fifth of
    the cost; most of a note's paragraphs are like this."""
    entry = _frag_templates.get(id(style))
    if entry is None or entry[0] is not style:  # the style is kept, so its id stays its own
        entry = _frag_templates[id(style)] = (style, Paragraph("x", style).frags[0])
    template = entry[1]
    text = " ".join(text.split())
    return PlainParagraph(text, style, frags=[template.clone(text=text)])


_word_widths: dict[tuple[str, float], dict[str, float]] = {}


class TextParagraph(Paragraph):
    """A Paragraph that breaks its text into lines once per width and splits over pages by
    those lines: the part on this page draws the lines that fit, the rest keeps the others.
    reportlab's own split hands the rest on as words, broken into lines again on the next
    page, and the next: a long text's time grew with the square of its length. The parts
    make their frags (reportlab's words) only if they are wrapped at another width."""

    _kept = None  # (width, the lines broken for it, reportlab's _wrapWidths for it)
    _frag_words = None  # reportlab's frag words the kept lines index (kind 1 lines), if any

    @property
    def frags(self):
        make = self.__dict__.pop("_make_frags", None)
        if make is not None:
            self.__dict__["_frags"] = make()
        return self.__dict__["_frags"]

    @frags.setter
    def frags(self, value):
        self.__dict__.pop("_make_frags", None)
        self.__dict__["_frags"] = value

    def _keeps_lines(self) -> bool:
        """Whether lines can be kept and split as they are: no bullet, no first-line indent,
        no dots, plain leading (our styles); anything else goes to reportlab's code."""
        style = self.style
        leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return not (
            self.bulletText
            or style.firstLineIndent
            or style.endDots
            or style.wordWrap
            or leading not in ("", "off")
        )

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        kept = self._kept
        if kept is not None and kept[0] == availWidth:
            self.width = availWidth
            self.blPara, self._wrapWidths = kept[1], kept[2]
            self.height = len(self.blPara.lines) * self.style.leading
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        if availWidth >= _FUZZ and self._keeps_lines():
            self._kept = (availWidth, self.blPara, self._wrapWidths)
            processed = self.blPara.kind == 1 and _processed_frags(self.frags)
            self._frag_words = self.frags if processed else None
        return result

    def split(self, availWidth, availHeight):  # noqa: N803
        if not self._keeps_lines():
            return super().split(availWidth, availHeight)
        if availWidth < _FUZZ or availHeight < _FUZZ:
            return []
        self.wrap(availWidth, availHeight)
        lines = self.blPara.lines
        if not lines:
            return super().split(availWidth, availHeight)
        style = self.style
        # reportlab's rules: no orphan (a lone first line), widows allowed by our styles
        fit = int(availHeight / float(style.leading))
        orphans = getattr(self, "allowOrphans", style.allowOrphans)
        if fit == 0 or (fit <= 1 and not orphans):
            return []
        if len(lines) <= fit:
            return [self]
        if not getattr(self, "allowWidows", style.allowWidows) and len(lines) == fit + 1:
            if not ((orphans and len(lines) == 3) or len(lines) > 3):
                return []
            fit -= 1
        head = self._part(0, fit)
        last = lines[fit - 1]
        head._JustifyLast = not (isinstance(last, FragLine) and getattr(last, "lineBreak", 0))
        head._splitpara = 1
        return [head, self._part(fit, len(lines))]

    def _part(self, start: int, stop: int) -> "TextParagraph":
        """Lines start to stop as a paragraph of their own, drawn as they are at this width."""
        width, bl_para, wrap_widths = self._kept
        own = bl_para.clone(lines=bl_para.lines[start:stop])
        part = type(self)(None, self.style, frags=[])
        part._kept = (width, own, wrap_widths)
        # its frags, made only if it is wrapped at another width, the way reportlab's split
        # makes them; a part holds on to its own lines only, so drawn lines can go
        words = self._frag_words
        if words is not None:  # lines index the frag words: the range is all it needs
            lines = bl_para.lines
            end = lines[stop].sFW if stop < len(lines) else len(words)
            bounds = SimpleNamespace(
                lines=[SimpleNamespace(sFW=lines[start].sFW), SimpleNamespace(sFW=end)]
            )
            holder = SimpleNamespace(frags=words)
            make = partial(Paragraph._split_blParaProcessed, holder, bounds, 0, 1)
        else:
            split = _split_blParaSimple if own.kind == 0 else _split_blParaHard
            make = partial(split, own, 0, stop - start)
        part.__dict__["_make_frags"] = make
        part._frag_words = words
        part._width_max = getattr(self, "_width_max", 0)
        if hasattr(self, "autoLeading"):
            part.autoLeading = self.autoLeading
        part.wrap(width, 0)
        return part


class PlainParagraph(TextParagraph):
    """One font, no markup: reportlab's own line breaking for that case, with each word's
    width remembered per process (a note measures the same few thousand words again and
    again). Anything unusual (soft hyphens, a word wider than the line, split-off parts)
    goes to reportlab's general code."""

    def breakLines(self, width):  # noqa: N802 - reportlab's name
        frags, style = self.frags, self.style
        f = frags[0] if len(frags) == 1 else None
        text = getattr(f, "text", None)
        if (
            f is None
            or type(text) is not str
            or not text
            or "\xad" in text
            or self.bulletText
            or style.wordWrap
            or style.endDots
            or style.hyphenationLang
            or style.uriWasteReduce
            or style.embeddedHyphenation
        ):
            return super().breakLines(width)
        limits = list(width) if isinstance(width, list | tuple) else [width]
        last = len(limits) - 1
        name, size = f.fontName, f.fontSize
        widths = _word_widths.get((name, size))
        if widths is None:
            widths = _word_widths[(name, size)] = {}
        font = pdfmetrics.getFont(name)
        words = text.split()
        measured = []
        for word in words:
            w = widths.get(word)
            if w is None:
                w = font.stringWidth(word, size)
                if len(widths) < 50_000:
                    widths[word] = w
            if w > min(limits):
                return super().breakLines(width)  # a long word: reportlab splits it
            measured.append(w)
        space = font.stringWidth(" ", size)
        shrink = style.spaceShrinkage * space
        lines: list[tuple[float, list[str]]] = []
        line: list[str] = []
        current = -space
        widest = 0.0
        limit = limits[0]
        for word, w in zip(words, measured, strict=True):
            new = current + space + w
            if new <= limit + shrink * len(line) or not line:
                line.append(word)
                current = new
            else:
                widest = max(widest, current)
                lines.append((limit - current, line))
                line, current = [word], w
                limit = limits[min(len(lines), last)]
        if line:
            widest = max(widest, current)
            lines.append((limit - current, line))
        self._width_max = widest
        self._splitLongWordCount = self._hyphenations = 0
        self.height = 0
        ascent, descent = pdfmetrics.getAscentDescent(name, size)
        return f.clone(kind=0, lines=lines, ascent=ascent, descent=descent, fontSize=size)


def paras(text: str | None, style, empty: str = "") -> list[Flowable]:
    """Flowables for long user text: one per block between blank lines (so a long answer
    flows over pages), line breaks inside a block kept."""
    text = normalise(text).strip("\n")
    if not text.strip():
        return [Paragraph(empty, style)] if empty else []
    return [para(b, style, align_rtl=True) for b in _BLANK_LINES.split(text) if b.strip()]


# --- right-to-left -------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    text: str
    font: str
    kind: str  # "R" right-to-left, "L" left-to-right, "EN" number, "N" neutral, "S" space
    width: float
    replaced: bool = False
    shaped: object = None
    level: int = 0  # the embedding level the Unicode bidi algorithm resolved
    exact: bool = True  # False: a long right-to-left run measured unshaped, not yet shaped


def _kind(char: str) -> str:
    bidi = unicodedata.bidirectional(char)
    if bidi in ("R", "AL"):
        return "R"
    if bidi == "L":
        return "L"
    if bidi in ("EN", "AN"):
        return "EN"
    if bidi == "WS" or char == " ":
        return "S"
    if bidi == "NSM":
        return ""  # joins the token before it
    return "N"


_shaped_words: dict[tuple[str, str, float], tuple[object, float]] = {}
_LONG_RUN = 200  # characters: a right-to-left run this long is shaped only if drawn whole


def _measure(token: _Token, size: float, shape: bool = True) -> _Token:
    """The token's width as drawn: right-to-left runs shaped (unless shape is False: then
    measured unshaped and marked inexact, to be shaped only if they are drawn whole)."""
    token.exact = shape or token.kind != "R"
    if token.kind == "R" and shape:
        key = (token.text, token.font, size)
        known = _shaped_words.get(key)
        if known is None:  # shaping is most of a right-to-left text's cost: once a word
            shaped = shapeStr(token.text, token.font, size)
            if isinstance(shaped, ShapedStr):
                width = sum(g.x_advance for g in shaped.__shapeData__) * size / 1000
                known = (shaped, width)
            else:
                known = (None, pdfmetrics.stringWidth(token.text, token.font, size))
            if len(_shaped_words) < 50_000 and len(token.text) < 100:
                _shaped_words[key] = known
        token.shaped, token.width = known
        return token
    token.width = pdfmetrics.stringWidth(token.text, token.font, size)
    return token


def _levels(text: str) -> list[int]:
    """Each character's embedding level by the Unicode Bidirectional Algorithm, as
    python-bidi resolves it for the paragraph (rules P2 to I2, brackets included).
    Reordering (rules L1, L2) is done per line, on runs, by _visual."""
    try:
        return _rust_levels(text)
    except (ValueError, UnicodeError):  # a format we do not know, or a lone surrogate
        return _python_levels(text)


# get_display(debug=True) answers with the library's resolved paragraph, levels included,
# one per UTF-8 byte; the levels section is the only line that opens like this.
_LEVELS = re.compile(r"\n {4}levels: \[\n(.*?)\n {4}\],", re.S)
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


def _rust_levels(text: str) -> list[int]:
    found = _LEVELS.search(get_display(text, debug=True))
    if found is None:
        raise ValueError("python-bidi's resolved levels are not where they were")
    per_byte = [int(level) for level in _LEVEL.findall(found.group(1))]
    levels, offset = [], 0
    for char in text:
        levels.append(per_byte[offset])
        offset += len(char.encode("utf-8"))
    if offset != len(per_byte):
        raise ValueError("python-bidi gave a level count that does not match the text")
    return levels


def _python_levels(text: str) -> list[int]:
    """The same, by python-bidi's pure-Python implementation (no bracket pairs, rule N0)."""
    storage = uba.get_empty_storage()
    storage["base_level"] = get_base_level(text)
    storage["base_dir"] = "LR"[storage["base_level"]]
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    # Rule X9 drops embedding controls and boundary neutrals from the result: each takes
    # the level of the character before it, so levels stay one per character of text.
    resolved = iter(storage["chars"])
    levels, level = [], storage["base_level"]
    for char in text:
        if unicodedata.bidirectional(char) not in uba.X9_REMOVED:
            level = next(resolved)["level"]
        levels.append(level)
    return levels


def _tokens(line: str, primary: str, size: float) -> list[_Token]:
    """A paragraph's runs in logical order: one font, one kind and one resolved bidi level
    each, measured (right-to-left runs shaped)."""
    out: list[_Token] = []
    cur: list = []  # [font, kind, chars, level]
    levels = _levels(line) if line else []

    def flush():
        if cur and cur[2]:
            token = _Token("".join(cur[2]), cur[0], cur[1], 0.0, level=cur[3])
            out.append(_measure(token, size, shape=len(token.text) <= _LONG_RUN))

    for char, level in zip(line, levels, strict=True):
        font = font_for(char, primary)
        if font is None:
            if is_invisible(char):
                continue
            flush()
            cur = []
            token = _Token(replacement(char), primary, "N", 0.0, True, level=level)
            out.append(_measure(token, size))
            continue
        kind = _kind(char)
        if kind == "" and cur and cur[0] == font:
            cur[2].append(char)
            continue
        kind = kind or "N"
        if cur and cur[0] == font and cur[1] == kind and cur[3] == level and kind != "S":
            cur[2].append(char)
        else:
            flush()
            cur = [font, kind, [char], level]
    flush()
    return out


def _base_rtl(line: str) -> bool:
    """Whether a paragraph reads right to left: its first strong character (rules P2, P3)."""
    return get_base_level(line) == 1


def _visual(tokens: list[_Token], rtl: bool) -> list[_Token]:
    """One line's runs in display order, by their resolved levels (rules L1 and L2)."""
    base = 1 if rtl else 0
    levels = [t.level for t in tokens]
    for i in range(len(tokens) - 1, -1, -1):  # L1: spaces ending the line take the base level
        if tokens[i].kind != "S":
            break
        levels[i] = base
    order = list(range(len(tokens)))
    top = max(levels, default=0)
    lowest_odd = min((level for level in levels if level % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):  # L2: reverse each run at or above a level
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return [tokens[i] for i in order]


def _fitting(text: str, font: str, size: float, used: float, width: float) -> int:
    """How many of text's first characters fit on a line from used to width, unshaped. Found
    by doubling then halving the count: a cost in proportion to what fits, however long the
    text (a prefix is never narrower than a shorter one)."""

    def fits(count: int) -> bool:
        return used + pdfmetrics.stringWidth(text[:count], font, size) <= width

    good, bad = 0, 1
    while bad <= len(text) and fits(bad):
        good, bad = bad, 2 * bad
    bad = min(bad, len(text) + 1)
    while bad - good > 1:
        middle = (good + bad) // 2
        if fits(middle):
            good = middle
        else:
            bad = middle
    return good


def _break(tokens: list[_Token], width: float, size: float) -> list[list[_Token]]:
    """Greedy line breaking at spaces, in logical order; over-long words split anywhere."""
    words: list[list[_Token]] = [[]]
    gaps: list[int] = [0]  # the resolved level of the space before each word
    for t in tokens:
        if t.kind == "S":
            words.append([])
            gaps.append(t.level)
        else:
            words[-1].append(t)
    spaced = [(gap, word) for gap, word in zip(gaps, words, strict=True) if word]
    lines: list[list[_Token]] = []
    line: list[_Token] = []
    used = 0.0
    for gap, word in spaced:
        word_width = sum(t.width for t in word)
        if word_width <= 2 * width and not all(t.exact for t in word):
            word = [t if t.exact else _measure(t, size) for t in word]  # it may fit: shape
            word_width = sum(t.width for t in word)
        space = pdfmetrics.stringWidth(" ", word[0].font, size) if line else 0.0
        if line and used + space + word_width <= width:
            line.append(_Token(" ", word[0].font, "S", space, level=gap))
            line.extend(word)
            used += space + word_width
            continue
        if line:
            lines.append(line)
            line, used = [], 0.0
        if word_width <= width:
            line, used = list(word), word_width
            continue
        for t in word:  # a word wider than the line: cut it where it fills the line
            rest, measured = t, t.exact
            while rest.text:
                # Only a rest that may fit is measured whole (shaped, as drawn): measuring
                # every line's rest of a long word made its time grow with its square.
                if _fitting(rest.text, rest.font, size, 0.0, 2 * (width - used)) == len(rest.text):
                    if not measured:
                        rest, measured = _measure(rest, size), True
                    if used + rest.width <= width:
                        line.append(rest)
                        used += rest.width
                        break
                cut = max(1, _fitting(rest.text, rest.font, size, used, width))
                head = _measure(
                    _Token(
                        rest.text[:cut], rest.font, rest.kind, 0.0, rest.replaced, level=rest.level
                    ),
                    size,
                )
                if line and used + head.width > width:
                    lines.append(line)
                    line, used = [], 0.0
                    continue
                line.append(head)
                lines.append(line)
                line, used = [], 0.0
                rest = _Token(
                    rest.text[cut:], rest.font, rest.kind, 0.0, rest.replaced, level=rest.level
                )
                measured = False
    if line:
        lines.append(line)
    return lines or [[]]


class BidiParagraph(Flowable):
    """A paragraph with right-to-left text: laid out and drawn line by line, splits over
    pages between lines."""

    def __init__(self, text: str, style, prefix: str = "", lines=None, align_rtl=False):
        super().__init__()
        self.text = text
        self.style = style
        self.align_rtl = align_rtl
        self.prefix = prefix  # trusted markup (e.g. a bold label): drawn as its plain text
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._lines = lines  # [(visual tokens, width, rtl)]
        self._for_width = None if lines is None else -1

    def _layout(self, width: float) -> None:
        if self._for_width == -1 or self._for_width == width:
            return
        style = self.style
        size = style.fontSize
        label = re.sub(r"<[^>]+>", "", self.prefix)
        lines = []
        first = True
        for source in self.text.split("\n"):
            source = (label if first else "") + source
            first = False
            rtl = _base_rtl(source)
            tokens = _tokens(source, style.fontName, size)
            for line in _break(tokens, width, size):
                visual = _visual(line, rtl)
                lines.append((visual, sum(t.width for t in visual), rtl))
        self._lines = lines
        self._for_width = width

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        self._layout(availWidth)
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return availWidth, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        self._layout(availWidth)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        head = BidiParagraph(
            self.text, self.style, lines=self._lines[:fit], align_rtl=self.align_rtl
        )
        tail = BidiParagraph(
            self.text, self.style, lines=self._lines[fit:], align_rtl=self.align_rtl
        )
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def draw(self):
        canvas = self.canv
        style = self.style
        size = style.fontSize
        canvas.saveState()
        y = self.height - size
        for visual, width, rtl in self._lines:
            x = self.width - width if rtl and self.align_rtl else 0.0
            line = canvas.beginText()  # one text object a line: readers keep the words together
            for t in visual:
                if t.kind != "S":
                    line.setFillColor(REPLACEMENT_COLOR if t.replaced else style.textColor)
                    line.setFont(t.font, size)
                    line.setTextOrigin(x, y)
                    text = t.shaped if t.shaped is not None else t.text
                    if t.shaped is None and t.level % 2 and t.kind == "N":
                        text = text.translate(_MIRROR)
                    line.textOut(text)
                x += t.width
            canvas.drawText(line)
            y -= style.leading
        canvas.restoreState()


def bold(text: str | None) -> str:
    """Markup for a bold label made of user text."""
    return markup(text, BOLD)
