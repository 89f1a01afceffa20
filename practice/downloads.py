"""Downloads: how a PDF leaves Practice, and the one way each document is made (for the
practitioner's download, the partner's own and the command line alike). Times in a PDF
are in the zone of whoever downloads it; the command line passes the practice's."""

import re
import unicodedata
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response

from practice.pdf.data import CHART, RELEASE
from practice.pdf.handout import build_handout_pdf
from practice.pdf.record import build_record_pdf
from practice.pdf.session import build_session_pdf
from practice.services import clock, documents
from practice.services import sessions as session_service

RECORD_KINDS = (CHART, RELEASE)


def file_part(text: str) -> str:
    """A name as a piece of a file name: plain letters, digits and hyphens ("Zoë Ng" ->
    "zoe-ng"); "" when nothing of it is left."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def pdf_response(content: bytes, filename: str, unicode_name: str | None = None) -> Response:
    """The PDF as an attachment. ``unicode_name``: the file name with the person's name as
    written (any script), for browsers that read RFC 6266's ``filename*``."""
    disposition = f'attachment; filename="{filename}"'
    if unicode_name and unicode_name != filename:
        disposition += f"; filename*=UTF-8''{quote(unicode_name)}"
    return Response(
        content, mimetype="application/pdf", headers={"Content-Disposition": disposition}
    )


def _day(note, where: ZoneInfo) -> str:
    return f"{note.starts_at.astimezone(where):%Y-%m-%d}"


def session_note(note, practice_name: str, reader) -> Response:
    where = clock.zone(reader.timezone)
    data = documents.session_pdf(note, practice_name, where)
    state = "signed" if note.is_signed else "draft"
    return pdf_response(
        build_session_pdf(data), f"session-{_day(note, where)}-{note.id}-{state}.pdf"
    )


def handout(note, partner, practice_name: str, reader, *, with_own_reflections: bool) -> Response:
    """``partner``'s handout of ``note``: their homework and the feedback meant for them,
    with their own discussed reflections if asked, named for them; the caller has checked
    the reader may take it (privacy.may_take_handout)."""
    where = clock.zone(reader.timezone)
    data = documents.handout_pdf(
        note, partner, practice_name, where, with_own_reflections=with_own_reflections
    )
    day = _day(note, where)
    name = file_part(partner.name) or f"partner-{partner.id}"
    return pdf_response(
        build_handout_pdf(data),
        f"handout-{day}-{name}.pdf",
        f"handout-{day}-{' '.join(partner.name.split())}.pdf",
    )


def record_pdf(couple, practice_name: str, where: ZoneInfo, partner=None) -> tuple[bytes, int]:
    """The couple's whole record as PDF bytes, and how many sessions it holds: the clinical
    chart, or with ``partner`` the release copy for them (the caller has checked
    privacy.may_take_release_copy, and records the export in the audit log)."""
    notes = session_service.signed_sessions(couple)
    if partner is None:
        data = documents.record_pdf(couple, notes, practice_name, where)
    else:
        data = documents.release_copy_pdf(couple, partner, notes, practice_name, where)
    return build_record_pdf(data), len(data.sessions)


def record_file_name(couple, partner=None) -> str:
    if partner is None:
        return f"record-{couple.id}.pdf"
    name = file_part(partner.name) or f"partner-{partner.id}"
    return f"record-{couple.id}-release-copy-for-{name}.pdf"


def record(couple, practice_name: str, reader, partner=None) -> Response:
    content, _ = record_pdf(couple, practice_name, clock.zone(reader.timezone), partner)
    return pdf_response(content, record_file_name(couple, partner))
