"""Who may reach what. Every feature blueprint declares its audience here, once, and every
object a URL names is loaded and checked here, before the view runs.

Anonymous people are sent to sign in; a signed-in person outside the audience gets 404,
as does anything outside their reach, so no page hints that something exists. A view never
sees the id in its URL: it gets the checked object instead (``couple_id`` arrives as
``couple``, ``session_id`` as ``note``, and so on), so it cannot reach an unchecked one.
Whether a person may *read* a thing is ``practice.privacy``'s answer; the loaders ask it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from practice import autosave, signin
from practice.identity import current_user

# The largest number a record's id can be: SQLite keeps 64-bit signed integers (and its
# driver refuses to send a larger one: OverflowError), PostgreSQL's ids are narrower still.
LARGEST_ID = 2**63 - 1


def in_range(number: int) -> bool:
    """Whether ``number`` could be an id (or a page) at all; a number past it names nothing."""
    return 0 <= number <= LARGEST_ID


def found(thing):
    """The thing, or 404 when it is missing or out of reach."""
    if thing is None:
        abort(404)
    return thing


@dataclass(frozen=True)
class Loader:
    """How a URL variable becomes the object a view gets: its name in the view, and a
    function of (person, value, objects loaded so far) giving the object or None."""

    name: str
    load: Callable


def _practitioner_loaders() -> dict[str, Loader]:
    from practice.services import couples, disclosure, measures, review, sessions

    def partner(user, partner_id, loaded):
        couple = loaded["couple"] if "couple" in loaded else loaded["note"].couple
        return next((p for p in couple.partners if p.id == partner_id), None)

    def assignment(user, assignment_id, loaded):
        return couples.assignment_of(loaded["couple"], assignment_id)

    def part(user, position, loaded):
        return disclosure.submitted_part(loaded["couple"], position)

    def measure_schedule(user, schedule_id, loaded):
        return measures.schedule_for_practitioner(loaded["couple"], schedule_id)

    def measure_response(user, response_id, loaded):
        return measures.response_of(loaded["couple"], response_id)

    return {
        "couple_id": Loader("couple", lambda u, v, _: couples.couple_for_practitioner(u, v)),
        "session_id": Loader("note", lambda u, v, _: sessions.session_for_practitioner(u, v)),
        "reflection_id": Loader(
            "reflection", lambda u, v, _: review.reflection_for_practitioner(u, v)
        ),
        "partner_id": Loader("partner", partner),
        "assignment_id": Loader("assignment", assignment),
        "position": Loader("part", part),
        "measure_schedule_id": Loader("schedule", measure_schedule),
        "measure_response_id": Loader("response", measure_response),
    }


def _client_loaders() -> dict[str, Loader]:
    from practice.services import assignments, disclosure, measures, reflections, sessions

    return {
        "assignment_id": Loader(
            "assignment", lambda u, v, _: assignments.assignment_for_client(u.partner, v)
        ),
        "reflection_id": Loader(
            "reflection", lambda u, v, _: reflections.readable_by_client(u.partner, v)
        ),
        "session_id": Loader("note", lambda u, v, _: sessions.handout_for_client(u.partner, v)),
        "position": Loader("part", lambda u, v, _: disclosure.openable_part(u.partner, v)),
        "measure_schedule_id": Loader(
            "schedule", lambda u, v, _: measures.schedule_for_client(u, v)
        ),
    }


def _owner_loaders() -> dict[str, Loader]:
    from practice.services import accounts

    return {"user_id": Loader("practitioner", lambda u, v, _: accounts.practitioner(v))}


def _own_loaders() -> dict[str, Loader]:
    """What anyone signed in reaches of their own account."""
    from practice import session_store

    return {"sign_in_id": Loader("sign_in", lambda u, v, _: session_store.live_of(u, v))}


def _load_url_objects(loaders: Callable[[], dict[str, Loader]]) -> None:
    """Replace each id in the URL by its checked object; 404 when any is out of reach."""
    args = request.view_args
    if not args:
        return
    # A number too large to be any record's id names nothing: 404, before any query.
    if not all(in_range(v) for v in args.values() if isinstance(v, int)):
        abort(404)
    # The ids as they came, for the audit of reads (practice.audit.reads).
    g.practice_url_ids = dict(args)
    known = loaders()
    loaded: dict = {}
    for key in [k for k in known if k in args]:
        loader = known[key]
        loaded[loader.name] = found(loader.load(current_user, args.pop(key), loaded))
    if set(args) - {"token"}:
        # A URL variable nobody checks would reach the view unchecked: refuse to serve it.
        raise LookupError(f"no loader for URL variables {sorted(args)} of {request.endpoint}")
    args.update(loaded)


def url_ids() -> dict:
    """The ids the URL named (before they became objects)."""
    return g.get("practice_url_ids", request.view_args or {})


# --- archived couples: read-only ---------------------------------------------------------
#
# An archived couple's record is read-only, for every route at once: a request that writes
# (any POST, and the GET of a page that is only a form, marked ``form_page``) and names
# something of an archived couple is refused here, before the view, unless its view is
# marked ``open_when_archived`` (a dated addendum to a signed note, reopening). A new write
# route is refused for archived couples without anyone remembering to.


def open_when_archived(view):
    """Mark a writing view that still serves an archived couple."""
    view.practice_open_when_archived = True
    return view


def form_page(view):
    """Mark a GET view that is only a form for a write (refused for an archived couple)."""
    view.practice_form_page = True
    return view


def couple_named(args: dict):
    """The couple the URL's checked objects belong to, if any."""
    from practice.models import Couple, Reflection

    for value in args.values():
        if isinstance(value, Couple):
            return value
        if isinstance(value, Reflection):
            return value.assignment.couple
        if isinstance(getattr(value, "couple", None), Couple):
            return value.couple
    return None


def _writes() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "practice_open_when_archived", False):
        return False
    return request.method not in ("GET", "HEAD") or getattr(view, "practice_form_page", False)


def _refuse_archived():
    """A practitioner's write to an archived couple: refused, with the way to reopen it."""
    couple = couple_named(request.view_args or {})
    if couple is None or not couple.is_archived or not _writes():
        return None
    return render_template("practice/caseload/archived.html", couple=couple), 409


def _closed_for_client():
    """A client whose couple is archived: signed out here too, and told so plainly."""
    if current_user.partner.couple.is_archived:
        signin.sign_out()
        if autosave.from_script():
            # An autosave wants JSON: signed out, its text stays in the browser's storage.
            login = url_for("practice.auth.login")
            return jsonify(message=signin.SIGNED_OUT, login=login), 401
        return render_template("practice/client/closed.html"), 200
    return None


def _guard(bp: Blueprint, allowed, then=None, loaders=None, after=None) -> None:
    @bp.before_request
    def check_audience():
        if not current_user.is_authenticated:
            return signin.unauthorized()
        if not allowed(current_user):
            abort(404)
        if then is not None and (answer := then()) is not None:
            return answer
        if loaders is not None:
            _load_url_objects(loaders)
        if after is not None:
            return after()
        return None


def _safety_screen_first():
    """A client of an open couple answers the private safety screen before any other
    client page."""
    if (closed := _closed_for_client()) is not None:
        return closed
    if current_user.partner.screened_at is None:
        return redirect(url_for("practice.safety.screen"))
    return None


def for_signed_in(bp: Blueprint) -> None:
    _guard(bp, lambda user: True, loaders=_own_loaders)


def for_owner(bp: Blueprint) -> None:
    _guard(bp, lambda user: user.is_owner, loaders=_owner_loaders)


def for_practitioners(bp: Blueprint) -> None:
    _guard(
        bp,
        lambda user: user.is_practitioner,
        loaders=_practitioner_loaders,
        after=_refuse_archived,
    )


def for_clients(bp: Blueprint, *, screened: bool = True) -> None:
    """Clients of a couple; unless ``screened=False`` (the screen itself), only once they
    have answered the safety screen."""
    _guard(
        bp,
        lambda user: user.is_client and user.partner is not None,
        _safety_screen_first if screened else _closed_for_client,
        loaders=_client_loaders,
    )
