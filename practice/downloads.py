"""Downloads: how a PDF leaves Practice, and the one way a partner's handout is made (for
the practitioner's download and the partner's own alike)."""

from flask import Response

from practice.pdf.handout import build_handout_pdf
from practice.services import documents


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def handout(note, partner, practice_name: str, *, with_own_reflections: bool) -> Response:
    """``partner``'s handout of ``note``: their homework and the feedback meant for them,
    with their own discussed reflections if asked; the caller has checked the reader may
    take it (privacy.may_take_handout)."""
    data = documents.handout_pdf(
        note, partner, practice_name, with_own_reflections=with_own_reflections
    )
    return pdf_response(build_handout_pdf(data), f"handout-{note.starts_at:%Y-%m-%d}.pdf")
