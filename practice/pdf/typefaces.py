"""The fonts the PDFs are set in, registered once per process, and per-character fallback.

- DejaVu Sans (regular and bold) ships with the package in ``fonts/``: Latin with accents,
  Greek, Cyrillic, Hebrew, Arabic, many symbols and the basic emoticons (U+1F600-1F64F).
- CJK comes from a system TrueType font found at run time: WenQuanYi Micro Hei (Debian
  ``fonts-wqy-microhei``: Chinese, Japanese, Korean) or Droid Sans Fallback (Debian
  ``fonts-droid-fallback``: Chinese, Japanese), or any file named by ``PRACTICE_PDF_CJK_FONT``.
- Other emoji and symbols come from Symbola (Debian ``fonts-symbola``) or the file named by
  ``PRACTICE_PDF_SYMBOL_FONT``.

A character no registered font has is never dropped and never drawn as a box: it becomes
its Unicode name in brackets, e.g. ``[PILE OF POO]``, or ``[U+E000]`` when it has no name.
Invisible formatting characters (zero-width joiners, variation selectors, bidi marks) that
the font in use lacks are left out: they have nothing to show.

Fallback fonts are loaded lazily, on the first character the main font lacks, so a process
that only ever renders Latin text never reads the big CJK file.
"""

import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"

REGULAR = "PracticeSans"
BOLD = "PracticeSans-Bold"
CJK = "PracticeCJK"
SYMBOLS = "PracticeSymbols"

CJK_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
SYMBOL_CANDIDATES = (
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
    "/usr/share/fonts/truetype/ancient-scripts/Symbola.ttf",
)

_lock = threading.RLock()
log = logging.getLogger(__name__)


def _first_existing(env: str, candidates: tuple[str, ...]) -> str | None:
    """The font file named by the environment variable env, else the first system font of
    candidates that exists (none with PRACTICE_PDF_SYSTEM_FONTS=0)."""
    named = os.environ.get(env, "").strip()
    if os.environ.get("PRACTICE_PDF_SYSTEM_FONTS", "").strip() == "0":
        candidates = ()
    for path in ([named] if named else []) + list(candidates):
        if path and Path(path).is_file():
            return path
    return None


_PRINTABLE_ASCII = re.compile("[ -~]+")


def _utf16_hex(code: int) -> str:
    if code <= 0xFFFF:
        return f"{code:04X}"
    code -= 0x10000
    return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, but with characters beyond U+FFFF written as UTF-16
    surrogate pairs as the PDF standard says (reportlab writes e.g. <1F600>, which readers
    reject, so emoji could not be searched or copied)."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class PracticeTTFont(TTFont):
    """reportlab's TTFont with a fast path for the commonest text: printable ASCII, which an
    "ASCII readable" subset maps to itself, so it needs no per-character subset lookup."""

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 - reportlab's name
        if type(text) is str and self._asciiReadable and _PRINTABLE_ASCII.fullmatch(text):
            if doc not in self.state:
                self._assignState(doc)
            if self.state[doc].assignments.get(126) == 126:
                return [(0, text.encode("ascii"))]
        return super().splitString(text, doc, encoding)


def _register(name: str, path: str | Path) -> set[int]:
    """Register a TrueType font under name (once) and return the code points it maps."""
    try:
        font = pdfmetrics.getFont(name)
    except KeyError:
        font = PracticeTTFont(name, str(path), shapable=True, asciiReadable=1)
        pdfmetrics.registerFont(font)
    return set(font.face.charToGlyph)


@dataclass
class _Fallback:
    """The fonts to try, in order, for one weight, and what each character resolved to."""

    primary: str
    fonts: list[tuple[str, set[int]]] = field(default_factory=list)
    cache: dict[str, str | None] = field(default_factory=dict)
    extended: bool = False


_chains: dict[str, _Fallback] = {}
_extra: list[tuple[str, set[int]]] | None = None


def ensure_fonts() -> None:
    """Register the bundled fonts. Cheap after the first call."""
    if _chains:
        return
    with _lock:
        if _chains:
            return
        regular = _register(REGULAR, FONT_DIR / "DejaVuSans.ttf")
        bold = _register(BOLD, FONT_DIR / "DejaVuSans-Bold.ttf")
        _chains[BOLD] = _Fallback(BOLD, [(BOLD, bold)])
        _chains[REGULAR] = _Fallback(REGULAR, [(REGULAR, regular)])


def _extra_fonts() -> list[tuple[str, set[int]]]:
    """The system fallback fonts, registered on first need."""
    global _extra
    if _extra is None:
        with _lock:
            if _extra is None:
                found = []
                for name, env, candidates in (
                    (CJK, "PRACTICE_PDF_CJK_FONT", CJK_CANDIDATES),
                    (SYMBOLS, "PRACTICE_PDF_SYMBOL_FONT", SYMBOL_CANDIDATES),
                ):
                    path = _first_existing(env, candidates)
                    if not path:
                        log.warning(
                            "No %s font for PDFs: characters it would draw are shown as "
                            "their Unicode names. Install %s or set %s.",
                            "CJK" if name == CJK else "emoji/symbol",
                            "fonts-wqy-microhei" if name == CJK else "fonts-symbola",
                            env,
                        )
                    if path:
                        try:
                            found.append((name, _register(name, path)))
                        except Exception:  # a broken system font is no font: say so, go on
                            log.warning("PDF fallback font %s could not be read", path)
                _extra = found
    return _extra


def fallback_fonts() -> list[str]:
    """Names of the system fallback fonts found (loading them if need be)."""
    return [name for name, _ in _extra_fonts()]


def font_for(char: str, primary: str = REGULAR) -> str | None:
    """The first font of primary's chain that has char, or None if none has it."""
    chain = _chains.get(primary) or (ensure_fonts() or _chains[primary])
    try:
        return chain.cache[char]
    except KeyError:
        pass
    code = ord(char)
    found = None
    for name, cmap in chain.fonts:
        if code in cmap:
            found = name
            break
    if found is None and not chain.extended:
        with _lock:
            if not chain.extended:
                chain.fonts.extend(_extra_fonts())
                chain.extended = True
        for name, cmap in chain.fonts[1:]:
            if code in cmap:
                found = name
                break
    chain.cache[char] = found
    return found


def is_invisible(char: str) -> bool:
    """Characters with nothing to show on their own: formatting (ZWJ, bidi marks),
    variation selectors, controls, and emoji skin-tone modifiers (the emoji is shown)."""
    category = unicodedata.category(char)
    if category in ("Cf", "Cc", "Cs", "Zl", "Zp"):
        return True
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x1F3FB <= code <= 0x1F3FF


def replacement(char: str) -> str:
    """What is shown for a character no font has: its Unicode name in brackets."""
    name = unicodedata.name(char, "")
    return f"[{name}]" if name else f"[U+{ord(char):04X}]"


def has_glyphs(font_name: str, text: str) -> bool:
    """True when the registered font maps every character of text (for tests and checks)."""
    ensure_fonts()
    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    return all(ord(c) in cmap for c in text)
