"""Who is signed in to Practice on this request, kept apart from any sign-in the host has.

Practice does not use Flask-Login's app-wide ``LoginManager`` or its ``current_user``: a host
app has its own, and the two must never see each other's people. Practice keeps its sign-in
under its own key in the session (``practice.signin.SIGN_IN``) and loads the person once a
request onto ``g``; ``current_user`` here is its proxy, for Practice's views, services and
templates. The host's ``current_user``, ``@login_required`` and ``login_user`` never see
Practice's people, and Practice never sees the host's.

A host whose staff already sign in to it may hand Practice an adapter (``HostIdentity``,
``Practice(app, identity=...)``): a person linked to a host account is then signed in to
Practice from the host's sign-in (``practice.signin.sign_in_from_host``), with Practice's
rules still applied.
"""

from typing import Protocol, runtime_checkable

from flask import g, has_request_context, url_for
from werkzeug.local import LocalProxy

_USER = "practice_user"


class Anonymous:
    """Nobody is signed in to Practice on this request."""

    is_authenticated = False
    is_anonymous = True
    is_active = False
    is_owner = is_practitioner = is_client = False
    id = None

    def get_id(self) -> None:
        return None


ANONYMOUS = Anonymous()


def _current():
    if not has_request_context():
        return ANONYMOUS
    if _USER not in g:
        from practice import signin

        g.setdefault(_USER, signin.load_current() or ANONYMOUS)
    return g.get(_USER)


#: The person signed in to Practice on this request (``Anonymous`` when nobody is).
current_user = LocalProxy(_current)


def set_current(user) -> None:
    """This request's person from now on (signing in or out mid-request)."""
    setattr(g, _USER, user or ANONYMOUS)


# --- the host's sign-in -------------------------------------------------------------------


@runtime_checkable
class HostIdentity(Protocol):
    """What Practice needs to know of a host's sign-in to accept it.

    - ``name``: how people know the host, for Practice's sign-in page ("Harbour Clinic").
    - ``key()``: a stable key of the host account signed in on this request, or None. It is
      stored with the Practice person it is linked to, so it must never change for one host
      account nor be reused for another (the account's primary key, say).
    - ``login_url(next_url)``: the host's sign-in page, coming back to ``next_url``.
    - ``sign_out()``: sign the person out of the host. Practice calls it when its own sign-in
      begun from the host ends (signing out, idle, time limit, account disabled), so the next
      visit passes through the host's sign-in again rather than resuming at once.
    """

    name: str

    def key(self) -> str | None: ...

    def login_url(self, next_url: str) -> str: ...

    def sign_out(self) -> None: ...


class FlaskLoginIdentity:
    """A ``HostIdentity`` for a host that signs its people in with Flask-Login."""

    def __init__(self, login_view: str, name: str = "your organisation", key=None):
        """``login_view``: the host's sign-in endpoint; ``key``: a host user's stable key,
        by default ``"<class>:<get_id()>"`` (for hosts whose ``get_id`` is the primary key)."""
        self.login_view = login_view
        self.name = name
        self._key = key or (lambda user: f"{type(user).__name__}:{user.get_id()}")

    def key(self) -> str | None:
        from flask_login import current_user as host_user

        if not host_user.is_authenticated:
            return None
        return str(self._key(host_user))

    def login_url(self, next_url: str) -> str:
        return url_for(self.login_view, next=next_url)

    def sign_out(self) -> None:
        from flask_login import logout_user

        logout_user()
