"""The access matrix: every route of the app, the people who reach it and what the others
get (tests/test_access.py walks it; tests/test_archive.py walks its write routes)."""

from dataclasses import dataclass, field

from sqlalchemy import func, select, union_all

from practice.db import session
from practice.models import Base
from tests.helpers.people import CSRF

PEOPLE = ("anonymous", "owner", "alice", "bob", "riley", "harper", "quinn")
PRACTITIONERS = {"owner", "alice", "bob"}
CLIENTS = {"riley", "harper", "quinn"}
SIGNED_IN = PRACTITIONERS | CLIENTS
NOBODYS_SIGN_IN = 999_999


@dataclass
class Case:
    method: str
    endpoint: str
    values: dict
    audience: set = field(default_factory=set)
    ok: int = 200
    expect: dict | None = None  # explicit status per person, for the public pages

    def status_for(self, person: str) -> int:
        if self.expect is not None:
            return self.expect[person]
        if person in self.audience:
            return self.ok
        return 302 if person == "anonymous" else 404


def everyone(status: int, **overrides) -> dict:
    return {person: overrides.get(person, status) for person in PEOPLE}


def build_cases(ids) -> list[Case]:
    c, other = ids["couple"], ids["other_couple"]
    alice_only = {"alice"}
    return [
        Case("GET", "practice.static", {"filename": "practice.css"}, expect=everyone(200)),
        Case("GET", "favicon", {}, expect=everyone(200)),
        Case("GET", "practice.auth.index", {}, expect=everyone(302)),
        # Readiness, the same for everyone; the test databases are made by create_all with
        # no recorded migration, so it says "not ready" (tests/test_production.py: ready).
        Case("GET", "practice_health.healthz", {}, expect=everyone(503)),
        Case("GET", "practice.auth.setup", {}, expect=everyone(404)),
        Case("POST", "practice.auth.setup", {}, expect=everyone(404)),
        Case("GET", "practice.auth.login", {}, expect=everyone(302, anonymous=200)),
        Case("POST", "practice.auth.login", {}, expect=everyone(302, anonymous=200)),
        # Signing out writes (the sign-in ends, the audit log says so): in everyone's reach.
        Case("POST", "practice.auth.logout", {}, SIGNED_IN, 302),
        Case("GET", "practice.auth.invitation", {"token": "no-such-token"}, expect=everyone(404)),
        Case("POST", "practice.auth.invitation", {"token": "no-such-token"}, expect=everyone(404)),
        Case("GET", "practice.auth.forgot_password", {}, expect=everyone(200)),
        Case("POST", "practice.auth.forgot_password", {}, expect=everyone(200)),
        Case("GET", "practice.auth.reset_password", {"token": "no-such"}, expect=everyone(404)),
        Case("POST", "practice.auth.reset_password", {"token": "no-such"}, expect=everyone(404)),
        Case("GET", "practice.account.index", {}, SIGNED_IN),
        Case("POST", "practice.account.index", {}, SIGNED_IN),
        # An empty time zone is the practice's: saved, back to the account page.
        Case("POST", "practice.account.timezone", {}, SIGNED_IN, 302),
        # Without a host's sign-in (identity=) there is nothing to link: back to the account.
        Case("POST", "practice.account.link_host", {}, SIGNED_IN, 302),
        Case("POST", "practice.account.unlink_host", {}, SIGNED_IN, 302),
        Case("GET", "practice.account.devices", {}, SIGNED_IN),
        Case("POST", "practice.account.end_others", {}, SIGNED_IN, 302),
        # Nobody's sign-in: one's own is tested in test_sign_ins.py (ending it signs out).
        Case("POST", "practice.account.end_device", {"sign_in_id": NOBODYS_SIGN_IN}),
        Case("GET", "practice.two_factor.challenge", {}, expect=everyone(302)),
        Case("POST", "practice.two_factor.challenge", {}, expect=everyone(302)),
        Case("GET", "practice.security.two_factor", {}, PRACTITIONERS),
        Case("POST", "practice.security.two_factor", {}, PRACTITIONERS),
        Case("POST", "practice.security.disable", {}, PRACTITIONERS, 302),
        Case("POST", "practice.security.recovery_codes", {}, PRACTITIONERS, 302),
        Case("GET", "practice.admin.two_factor", {}, {"owner"}),
        Case("POST", "practice.admin.two_factor", {}, {"owner"}, 302),
        Case("GET", "practice.admin.practitioners", {}, {"owner"}),
        Case("POST", "practice.admin.practitioners", {}, {"owner"}),
        Case("POST", "practice.admin.reinvite", {"user_id": ids["alice"]}, {"owner"}, 302),
        Case("POST", "practice.admin.reinvite", {"user_id": ids["riley_user"]}),
        Case("POST", "practice.admin.disable", {"user_id": ids["alice"]}, {"owner"}, 302),
        Case("POST", "practice.admin.disable", {"user_id": ids["riley_user"]}),
        Case("POST", "practice.admin.enable", {"user_id": ids["alice"]}, {"owner"}, 302),
        Case("POST", "practice.admin.enable", {"user_id": ids["riley_user"]}),
        Case("POST", "practice.admin.cancel_invitation", {"user_id": ids["alice"]}, {"owner"}, 302),
        Case("POST", "practice.admin.cancel_invitation", {"user_id": ids["riley_user"]}),
        Case("GET", "practice.admin.policies", {}, {"owner"}),
        Case("POST", "practice.admin.policies", {}, {"owner"}),
        Case("GET", "practice.safety.screen", {}, CLIENTS),
        Case("POST", "practice.safety.screen", {}, CLIENTS),
        Case("GET", "practice.safety.help_now", {}, CLIENTS),
        Case("GET", "practice.safety_settings.crisis_resources", {}, {"owner"}),
        Case("POST", "practice.safety_settings.crisis_resources", {}, {"owner"}, 302),
        Case("GET", "practice.safety_review.couple", {"couple_id": c}, alice_only),
        Case("POST", "practice.safety_review.couple", {"couple_id": c}, alice_only),
        Case("GET", "practice.safety_review.couple", {"couple_id": other}, {"bob"}),
        Case("POST", "practice.safety_review.couple", {"couple_id": other}, {"bob"}),
        Case("POST", "practice.safety_review.pause_sharing", {"couple_id": c}, alice_only, 302),
        Case("POST", "practice.safety_review.resume_sharing", {"couple_id": c}, alice_only, 302),
        Case("POST", "practice.safety_review.pause_sharing", {"couple_id": other}, {"bob"}, 302),
        Case("GET", "practice.audit.log", {}, {"owner"}),
        Case("GET", "practice.audit.export", {}, {"owner"}),
        Case("GET", "practice.caseload.dashboard", {}, PRACTITIONERS),
        Case("GET", "practice.caseload.new_couple", {}, PRACTITIONERS),
        Case("POST", "practice.caseload.new_couple", {}, PRACTITIONERS),
        Case("GET", "practice.caseload.couple", {"couple_id": c}, alice_only),
        Case("GET", "practice.caseload.couple", {"couple_id": other}, {"bob"}),
        Case("GET", "practice.caseload.session_brief", {"couple_id": c}, alice_only),
        Case("GET", "practice.caseload.session_brief", {"couple_id": other}, {"bob"}),
        Case("POST", "practice.caseload.set_step", {"couple_id": c}, alice_only, 302),
        Case("POST", "practice.caseload.release_setting", {"couple_id": c}, alice_only, 302),
        Case("POST", "practice.caseload.release_setting", {"couple_id": other}, {"bob"}, 302),
        Case(
            "POST",
            "practice.caseload.reinvite",
            {"couple_id": c, "partner_id": ids["riley"]},
            alice_only,
            302,
        ),
        Case(
            "POST", "practice.caseload.reinvite", {"couple_id": other, "partner_id": ids["riley"]}
        ),
        Case(
            "POST",
            "practice.caseload.cancel_invitation",
            {"couple_id": c, "partner_id": ids["riley"]},
            alice_only,
            302,
        ),
        Case(
            "POST",
            "practice.caseload.cancel_invitation",
            {"couple_id": other, "partner_id": ids["riley"]},
        ),
        Case("GET", "practice.caseload.archive_couple", {"couple_id": c}, alice_only),
        # Without the reason and the tick: the form again, with its messages.
        Case("POST", "practice.caseload.archive_couple", {"couple_id": c}, alice_only),
        Case("GET", "practice.caseload.archive_couple", {"couple_id": other}, {"bob"}),
        # An open couple is not reopened: back to its page, told so.
        Case("POST", "practice.caseload.reopen_couple", {"couple_id": c}, alice_only, 302),
        Case("POST", "practice.caseload.reopen_couple", {"couple_id": other}, {"bob"}, 302),
        Case("GET", "practice.caseload.assign", {"couple_id": c}, alice_only),
        Case("POST", "practice.caseload.assign", {"couple_id": c}, alice_only),
        Case(
            "POST",
            "practice.caseload.close_assignment",
            {"couple_id": c, "assignment_id": ids["spare"]},
            alice_only,
            302,
        ),
        Case(
            "POST",
            "practice.caseload.close_assignment",
            {"couple_id": other, "assignment_id": ids["spare"]},
        ),
        Case("GET", "practice.pacing.open_early", {"couple_id": c}, alice_only),
        Case("POST", "practice.pacing.open_early", {"couple_id": c}, alice_only),
        Case("GET", "practice.pacing.open_early", {"couple_id": other}, {"bob"}),
        Case("POST", "practice.pacing.open_early", {"couple_id": other}, {"bob"}),
        Case("GET", "practice.review.queue", {}, PRACTITIONERS),
        Case("GET", "practice.review.reflection", {"reflection_id": ids["shared"]}, alice_only),
        Case("POST", "practice.review.reflection", {"reflection_id": ids["shared"]}, alice_only),
        Case("GET", "practice.review.reflection", {"reflection_id": ids["draft"]}),
        Case("POST", "practice.review.release", {"reflection_id": ids["shared"]}, alice_only, 302),
        Case("POST", "practice.review.release", {"reflection_id": ids["draft"]}),
        Case("GET", "practice.sessions.new_session", {"couple_id": c}, alice_only),
        Case("POST", "practice.sessions.new_session", {"couple_id": c}, alice_only),
        Case("GET", "practice.sessions.view", {"session_id": ids["session"]}, alice_only),
        Case("GET", "practice.sessions.edit", {"session_id": ids["session"]}, alice_only),
        Case("POST", "practice.sessions.edit", {"session_id": ids["session"]}, alice_only),
        Case("GET", "practice.sessions.pdf", {"session_id": ids["session"]}, alice_only),
        Case("POST", "practice.sessions.sign", {"session_id": ids["session"]}, alice_only),
        Case("POST", "practice.sessions.add_addendum", {"session_id": ids["signed"]}, alice_only),
        # Where signing in again leads after a sign or addendum posted once the session ended.
        Case("GET", "practice.sessions.sign", {"session_id": ids["session"]}, alice_only, 302),
        Case(
            "GET", "practice.sessions.add_addendum", {"session_id": ids["signed"]}, alice_only, 302
        ),
        Case("GET", "practice.sessions.homework", {"session_id": ids["session"]}, alice_only),
        Case("POST", "practice.sessions.homework", {"session_id": ids["session"]}, alice_only),
        Case(
            "GET",
            "practice.sessions.handout",
            {"session_id": ids["signed"], "partner_id": ids["riley"]},
            alice_only,
        ),
        Case(
            "GET",
            "practice.sessions.handout",
            {"session_id": ids["alone"], "partner_id": ids["riley"]},
        ),
        Case("GET", "practice.sessions.record", {"couple_id": c}, alice_only),
        Case("GET", "practice.sessions.record", {"couple_id": other}, {"bob"}),
        Case(
            "GET",
            "practice.sessions.release_copy",
            {"couple_id": c, "partner_id": ids["harper"]},
            alice_only,
        ),
        Case(
            "GET",
            "practice.sessions.release_copy",
            {"couple_id": other, "partner_id": ids["harper"]},
        ),
        Case("GET", "practice.client.handout", {"session_id": ids["signed"]}, {"riley", "harper"}),
        Case("GET", "practice.client.handout", {"session_id": ids["alone"]}, {"harper"}),
        Case("GET", "practice.client.handout", {"session_id": ids["session"]}),
        Case("GET", "practice.client.home", {}, CLIENTS),
        Case("GET", "practice.client.shared", {}, CLIENTS),
        Case("GET", "practice.client.agreement", {}, CLIENTS),
        Case("POST", "practice.client.agreement", {}, CLIENTS),
        Case(
            "GET", "practice.client.assignment", {"assignment_id": ids["open"]}, {"riley", "harper"}
        ),
        Case(
            "POST",
            "practice.client.assignment",
            {"assignment_id": ids["open"]},
            {"riley", "harper"},
            302,
        ),
        Case(
            "GET", "practice.client.assignment", {"assignment_id": ids["for_recovering"]}, {"riley"}
        ),
        Case(
            "GET",
            "practice.client.assignment",
            {"assignment_id": ids["locked"]},
            {"riley", "harper"},
        ),
        Case(
            "POST",
            "practice.client.assignment",
            {"assignment_id": ids["locked"]},
            {"riley", "harper"},
        ),
        Case(
            "GET",
            "practice.client.reflection",
            {"reflection_id": ids["shared"]},
            {"riley", "harper"},
        ),
        Case("GET", "practice.client.reflection", {"reflection_id": ids["private"]}, {"harper"}),
        Case("GET", "practice.client.reflection", {"reflection_id": ids["draft"]}, {"riley"}),
        # Disclosure: part 1 submitted by Riley and released, part 2 Harper's draft.
        Case("GET", "practice.disclosure.overview", {"couple_id": c}, alice_only),
        Case("GET", "practice.disclosure.overview", {"couple_id": other}, {"bob"}),
        Case("POST", "practice.disclosure.start", {"couple_id": c}, alice_only, 302),
        Case("POST", "practice.disclosure.start", {"couple_id": other}, {"bob"}, 302),
        Case("GET", "practice.disclosure.part", {"couple_id": c, "position": 1}, alice_only),
        Case("POST", "practice.disclosure.part", {"couple_id": c, "position": 1}, alice_only, 302),
        Case("GET", "practice.disclosure.part", {"couple_id": c, "position": 2}),
        Case("GET", "practice.disclosure.part", {"couple_id": other, "position": 1}),
        Case("GET", "practice.my_disclosure.home", {}, CLIENTS),
        # Harper, not yet past the page before Riley's part, is shown that page first.
        Case(
            "GET",
            "practice.my_disclosure.part_for_client",
            {"position": 1},
            expect=everyone(404, anonymous=302, riley=200, harper=302),
        ),
        Case("GET", "practice.my_disclosure.before_reading", {"position": 1}, {"harper"}),
        Case("POST", "practice.my_disclosure.before_reading", {"position": 1}, {"harper"}, 302),
        Case("POST", "practice.my_disclosure.after_reading", {"position": 1}, {"harper"}),
        Case("GET", "practice.my_disclosure.before_reading", {"position": 2}),
        Case("POST", "practice.my_disclosure.part_for_client", {"position": 1}, {"riley"}, 302),
        Case("GET", "practice.my_disclosure.part_for_client", {"position": 2}, {"harper"}),
        Case("POST", "practice.my_disclosure.part_for_client", {"position": 2}, {"harper"}, 302),
        Case("GET", "practice.my_disclosure.part_for_client", {"position": 3}),
        Case("POST", "practice.my_disclosure.part_for_client", {"position": 3}),
        Case("GET", "practice.checkins.caseload.couple_checkins", {"couple_id": c}, alice_only),
        Case("POST", "practice.checkins.caseload.couple_checkins", {"couple_id": c}, alice_only),
        Case("GET", "practice.checkins.caseload.couple_checkins", {"couple_id": other}, {"bob"}),
        Case("POST", "practice.checkins.caseload.couple_checkins", {"couple_id": other}, {"bob"}),
        # Only the partner who checks in; the other sees the summary, the other couple nothing.
        Case("GET", "practice.checkins.mine.check_in", {}, {"riley"}),
        Case("POST", "practice.checkins.mine.check_in", {}, {"riley"}),
        Case("GET", "practice.checkins.mine.partner_summary", {}, {"harper"}),
        Case("GET", "practice.checkins.mine.reminder_settings", {}, CLIENTS),
        Case("POST", "practice.checkins.mine.reminder_settings", {}, CLIENTS, 302),
        # History and search: the couple's practitioner's alone; drafts are nobody's history.
        Case("GET", "practice.history.couple", {"couple_id": c}, alice_only),
        Case("GET", "practice.history.couple", {"couple_id": other}, {"bob"}),
        Case("GET", "practice.history.search_record", {"couple_id": c}, alice_only),
        Case("GET", "practice.history.reflection", {"reflection_id": ids["private"]}, alice_only),
        Case("GET", "practice.history.reflection", {"reflection_id": ids["draft"]}),
        Case("GET", "practice.history.caseload", {}, PRACTITIONERS),
        # An exercise nobody answered: nothing to open, for anyone (tests/test_history.py).
        Case(
            "GET",
            "practice.history.exercise",
            {"couple_id": c, "partner_id": ids["riley"], "exercise": 999_999},
        ),
        Case("GET", "practice.measures.caseload.couple_measures", {"couple_id": c}, alice_only),
        Case("POST", "practice.measures.caseload.couple_measures", {"couple_id": c}, alice_only),
        Case("GET", "practice.measures.caseload.couple_measures", {"couple_id": other}, {"bob"}),
        *[
            Case("POST", f"practice.measures.caseload.{name}", values, alice_only, 302)
            for name, values in (
                ("stop", {"couple_id": c, "measure_schedule_id": ids["measure_schedule"]}),
                ("risk_seen", {"couple_id": c, "measure_response_id": ids["measure_response"]}),
            )
        ],
        # Another couple's URL with this couple's schedule or answer names nothing.
        Case(
            "POST",
            "practice.measures.caseload.stop",
            {"couple_id": other, "measure_schedule_id": ids["measure_schedule"]},
        ),
        Case(
            "POST",
            "practice.measures.caseload.risk_seen",
            {"couple_id": other, "measure_response_id": ids["measure_response"]},
        ),
        Case("GET", "practice.measures.mine.my_measures", {}, CLIENTS),
        # Riley has answered (back to the list); Harper answers; Quinn's couple has none.
        Case(
            "GET",
            "practice.measures.mine.answer",
            {"measure_schedule_id": ids["measure_schedule"]},
            expect=everyone(404, anonymous=302, riley=302, harper=200),
        ),
        Case(
            "POST",
            "practice.measures.mine.answer",
            {"measure_schedule_id": ids["measure_schedule"]},
            expect=everyone(404, anonymous=302, riley=302, harper=200),
        ),
    ]


def row_counts(app) -> tuple:
    with app.app_context():
        counts = union_all(
            *[select(func.count()).select_from(table) for table in Base.metadata.sorted_tables]
        )
        return tuple(session.scalars(counts))


def csrf_token(person_browser) -> str:
    """A signed-in person's CSRF token: the sign-out form on every page carries one."""
    page = person_browser.client.get("/", follow_redirects=True).get_data(as_text=True)
    match = CSRF.search(page)
    assert match
    return match.group(1) or match.group(2)
