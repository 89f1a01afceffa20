"""What every Practice page shares: template helpers, headers and error pages."""

from datetime import datetime

from flask import Blueprint, current_app, g, render_template, request
from flask_wtf.csrf import generate_csrf

from practice import autosave, privacy
from practice.identity import current_user
from practice.services import accounts, archive, clock
from practice.signin import end_stale_sign_in, sign_in_from_host


def practice_name() -> str:
    if "practice_name" not in g:
        profile = accounts.practice_profile()
        g.practice_name = profile.name if profile else "Practice"
    return g.practice_name


def _reader_zone():
    """The signed-in reader's time zone (UTC signed out), looked up once a request: a page
    formats a hundred moments."""
    if "practice_reader_zone" not in g:
        reader = current_user if current_user.is_authenticated else None
        g.practice_reader_zone = clock.zone(reader.timezone if reader is not None else None)
    return g.practice_reader_zone


def format_datetime(moment: datetime | None) -> str:
    """In the signed-in reader's time zone."""
    return clock.format_datetime_in(moment, _reader_zone())


def format_time(moment: datetime | None) -> str:
    return clock.format_time_in(moment, _reader_zone())


def chart_figure(series, chart: dict, partners):
    """A rating's chart and table (``practice.charts.html``), its dates in the reader's zone."""
    from practice.charts import html

    zone = _reader_zone()
    return html.figure(series, chart, partners, lambda m: clock.format_datetime_in(m, zone))


def template_helpers() -> dict:
    """What every Practice template may call."""
    return {
        "practice_name": practice_name,
        "format_datetime": format_datetime,
        "format_date": clock.format_date,
        "format_time": format_time,
        "chart_figure": chart_figure,
        "archive_reason": archive.reason_label,
        "csrf_token": generate_csrf,
        # Practice's person, never the host's Flask-Login ``current_user``.
        "current_user": current_user,
        # Browser copies of practitioner drafts a save just ended, for practice.js to clear.
        "ended_drafts": autosave.ended_drafts,
        **privacy.template_helpers(),
    }


# Our own files only: no inline script or style, no third-party origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


STRICT_TRANSPORT = "max-age=31536000; includeSubDomains"


def security_headers(response):
    """The headers every Practice response carries, a page, a download or an error alike.

    The blueprint sets them on its own responses (in a host app, the host's pages are the
    host's business); the standalone app sets them on every response it gives, an unknown
    URL's 404, a wrong method's 405 and a crash's 500 too.
    """
    # Tokens live in invitation URLs: never send them on as a Referer.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # Behind HTTPS, browsers are told to never use plain HTTP here again (for a year).
    if current_app.config.get("PRACTICE_HTTPS"):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT)
    return response


def install(bp: Blueprint) -> None:
    bp.context_processor(template_helpers)
    # A form posted just after an idle sign-out keeps its words before the sign-in is gone.
    bp.before_request(autosave.keep_posted_draft)
    bp.before_request(end_stale_sign_in)
    bp.before_request(sign_in_from_host)

    @bp.after_request
    def private_by_default(response):
        security_headers(response)
        # Client pages and downloads are never cached; our own stylesheet and script may be.
        is_asset = request.endpoint == "practice.static"
        if not is_asset and (
            current_user.is_authenticated or response.mimetype == "application/pdf"
        ):
            response.headers["Cache-Control"] = "no-store"
        return response

    @bp.errorhandler(404)
    def not_found(_error):
        return render_template("practice/errors/404.html"), 404
