"""Links that leave the site in an e-mail: built from the site's configured public address,
never from the Host header of whoever asked (a reset asked for with ``Host: evil.example``
must not mail a link to evil.example).

The address is ``PRACTICE_BASE_URL``; without it, inside a request and only under Flask's
``TRUSTED_HOSTS`` (which refuses a request for any other host with 400), the address the
request came to. With neither, no link can be mailed and ``NotSent`` says why.
"""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


class NotSent(Exception):
    """No e-mail went out; the message says why, in words a practitioner can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def public_base() -> str:
    """The site's public address, like ``https://practice.example.org`` (no trailing slash)."""
    value = (current_app.config.get("PRACTICE_BASE_URL") or "").strip()
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise NotSent(
                f"PRACTICE_BASE_URL is {value!r}; it must start with https:// (or http://) "
                "and name the site, like https://practice.example.org."
            )
        return value.rstrip("/")
    if current_app.config.get("TRUSTED_HOSTS") and has_request_context():
        # Flask has already refused this request unless its host is one of TRUSTED_HOSTS.
        return request.url_root.rstrip("/")
    where = "" if has_request_context() else " (a command has no request to take it from)"
    also = ", or Flask's TRUSTED_HOSTS to the names it answers to" if not where else ""
    raise NotSent(
        "this practice has no public web address for links in e-mails: set "
        f"PRACTICE_BASE_URL to it, like https://practice.example.org{where}{also}"
    )


def public_url(endpoint: str, **values) -> str:
    """An absolute URL of ``endpoint`` (its full name: ``practice.auth.reset_password``)
    at the public address. Raises NotSent when there is none."""
    parts = urlsplit(public_base())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def shown_url(endpoint: str, **values) -> str:
    """A link shown on a page for its reader to pass on: the public address when there is
    one, else the address this reader's own browser used."""
    try:
        return public_url(endpoint, **values)
    except NotSent:
        return url_for(endpoint, _external=True, **values)
