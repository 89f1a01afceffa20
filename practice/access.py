"""Who may reach what. Every feature blueprint declares its audience here, once.

Anonymous people are sent to sign in; a signed-in person outside the audience gets 404,
as does anything outside their reach, so no page hints that something exists.
"""

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_login import current_user


def _guard(bp: Blueprint, allowed, then=None) -> None:
    @bp.before_request
    def check_audience():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not allowed(current_user):
            abort(404)
        return then() if then is not None else None


def _safety_screen_first():
    """A client answers the private safety screen before any other client page."""
    if current_user.partner.screened_at is None:
        return redirect(url_for("practice.safety.screen"))
    return None


def for_signed_in(bp: Blueprint) -> None:
    _guard(bp, lambda user: True)


def for_owner(bp: Blueprint) -> None:
    _guard(bp, lambda user: user.is_owner)


def for_practitioners(bp: Blueprint) -> None:
    _guard(bp, lambda user: user.is_practitioner)


def for_clients(bp: Blueprint, *, screened: bool = True) -> None:
    """Clients of a couple; unless ``screened=False`` (the screen itself), only once they
    have answered the safety screen."""
    _guard(
        bp,
        lambda user: user.is_client and user.partner is not None,
        _safety_screen_first if screened else None,
    )


def found(thing):
    """The thing, or 404 when it is missing or out of reach."""
    if thing is None:
        abort(404)
    return thing
