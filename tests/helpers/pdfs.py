"""Reading a PDF back as a reader would: its words, without what every page repeats."""

import io
import re

from pypdf import PdfReader

PAGE_NUMBER = re.compile(r"Page \d+ of \d+")


def body_text(pdf: bytes) -> str:
    """Every page's text in order, without the running header and footer (the lines at a
    page's edge that every page has) and the page numbers, and without white space, so a
    text broken over lines and pages reads back as the one text it is."""
    pages = [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(pdf)).pages]
    edges = [set(lines[:2] + lines[-3:]) for lines in pages]
    running = set.intersection(*edges) if len(pages) > 1 else set()
    kept = [PAGE_NUMBER.sub("", line) for lines in pages for line in lines if line not in running]
    return re.sub(r"\s+", "", "".join(kept)).replace("\ufe0f", "")
