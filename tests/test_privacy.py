"""practice/privacy.py is the one answer to "may this person read this": every readable kind
walked through it for every kind of reader, its SQL filters agreeing with its predicates,
and the facts it rests on read nowhere else."""

import ast
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from practice import privacy
from practice.db import commit, session
from practice.models import (
    Addendum,
    AfterReading,
    AlertEvent,
    Assignment,
    AuditEntry,
    Checkin,
    CheckinPlan,
    Couple,
    CrisisLine,
    DisclosurePart,
    Feedback,
    Partner,
    PractitionerDraft,
    Reflection,
    ReflectionStatus,
    SafetyScreen,
    SessionNote,
    SignIn,
    User,
    Visibility,
)
from practice.services import alerts, disclosure, safety
from tests.helpers.people import SAFE_ANSWERS, Browser, assign_exercises

ROOT = Path(__file__).resolve().parents[1]

# The low-level facts partner privacy rests on.
FACTS = {
    "shared_with_partner",  # a reflection's or check-in's sharing flag
    "joint_features_off_since",  # the couple's joint-features switch (a safety answer)
    "sharing_paused_at",  # and the practitioner's own pause
    "reveal_together",  # an exercise answered alone and revealed to both
    "visibility",  # how a disclosure part is released
    "is_released",
    "released_at",
    "summary_for_partner",  # the check-in summary switch
    "shares_wait_for_release",  # the couple's release setting
    "release_state",  # where a shared reflection stands with the practitioner's release
    "scores_shared",  # a measure schedule's "each partner sees the other's scores"
}
# Where reading one is not deciding who reads what, and why.
ALLOWED = {
    # The program file format defines the setting and copies it from the file.
    ("practice/programs/loader.py", "reveal_together"),
    # Exporting a program writes the setting back into its file.
    ("practice/programs/export.py", "reveal_together"),
}


def _fact_reads_in_python() -> list[str]:
    found = []
    for path in sorted((ROOT / "practice").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "practice/privacy.py" or relative.startswith("practice/models/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if not (isinstance(node, ast.Attribute) and node.attr in FACTS):
                continue
            # Writing a fact (a service recording a choice) and a form's field are no reads.
            if not isinstance(node.ctx, ast.Load) or ast.unparse(node.value) == "form":
                continue
            if (relative, node.attr) not in ALLOWED:
                found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    return found


def _fact_reads_in_templates() -> list[str]:
    pattern = re.compile(r"(?<!form)\.(" + "|".join(sorted(FACTS)) + r")\b")
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()}")
    return found


def test_the_facts_partner_privacy_rests_on_are_read_only_in_privacy():
    assert _fact_reads_in_python() == []
    assert _fact_reads_in_templates() == []


def test_the_fact_scan_finds_a_read_it_should_refuse(tmp_path):
    # The scan itself can fail: a view deciding visibility from the flag is caught.
    code = "def view(r):\n    return r.answers if r.shared_with_partner else None\n"
    reads = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Attribute) and node.attr in FACTS
    ]
    assert [ast.unparse(n) for n in reads] == ["r.shared_with_partner"]
    assert re.search(r"(?<!form)\.(shared_with_partner)\b", "{% if r.shared_with_partner %}")
    assert not re.search(r"(?<!form)\.(shared_with_partner)\b", "{{ form.shared_with_partner }}")


# --- the walk-through ------------------------------------------------------------------------


def _reflection(assignment_id, author, *, submitted=True, shared=False, occurrence=None):
    reflection = Reflection(
        assignment_id=assignment_id,
        author=author,
        occurrence=occurrence or date.today(),
        answers=[f"words of {author.name}"],
        ratings={},
        status=ReflectionStatus.SUBMITTED if submitted else ReflectionStatus.DRAFT,
        shared_with_partner=shared,
        submitted_at=datetime.now(UTC) if submitted else None,
    )
    session.add(reflection)
    return reflection


def _note(couple, practitioner, *, signed=True, individual=None):
    note = SessionNote(
        couple=couple,
        practitioner_id=practitioner.id,
        starts_at=datetime.now(UTC) - timedelta(days=1),
        duration_minutes=50,
        kind="individual" if individual else "joint",
        individual_partner_id=individual.id if individual else None,
        note_format="free",
        sections={"note": "clinical words"},
        signed_at=datetime.now(UTC) if signed else None,
        signed_by_id=practitioner.id if signed else None,
        snapshot={} if signed else None,
    )
    session.add(note)
    return note


@pytest.fixture
def things(app, world):
    """One of every readable kind, in every state that matters, for couple A (Alice's:
    Riley and Harper); ids by name."""
    normal, shared_ex, draft_ex = assign_exercises(
        app, world.couple_id, "finding-the-right-amount", "boundary-agreement", "small-victories"
    )
    both_in, one_in = assign_exercises(
        app, world.couple_id, "hearing-and-being-heard", "hopes-fears-dreams"
    )
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley, harper = (session.get(Partner, i) for i in (world.recovering_id, world.hurt_id))
        alice = couple.practitioner
        made = {
            "private": _reflection(normal, riley),
            "shared": _reflection(shared_ex, riley, shared=True),
            "draft": _reflection(draft_ex, riley, submitted=False, shared=True),
            "revealed": _reflection(both_in, riley),
            "revealed-other": _reflection(both_in, harper),
            "unrevealed": _reflection(one_in, riley),
        }
        session.flush()
        made["feedback"] = Feedback(
            reflection=made["private"], author_id=alice.id, body="for Riley"
        )
        session.add(made["feedback"])
        made["joint-note"] = _note(couple, alice)
        made["riley-note"] = _note(couple, alice, individual=riley)
        made["harper-note"] = _note(couple, alice, individual=harper)
        made["draft-note"] = _note(couple, alice, signed=False)
        session.flush()
        made["addendum"] = Addendum(session=made["joint-note"], author_id=alice.id, text="later")
        session.add(made["addendum"])
        started = disclosure.start(couple, alice)
        parts = {p.position: p for p in started.parts}
        for position, visibility in ((1, Visibility.APP), (2, Visibility.SESSION)):
            author = parts[position].author
            disclosure.save(author, parts[position], f"part {position}", submit=True)
            disclosure.release(parts[position], alice, visibility, couple)
        disclosure.save(riley, parts[3], "part 3 submitted", submit=True)
        disclosure.save(harper, parts[4], "part 4 draft", submit=False)
        made |= {"part-app": parts[1], "part-session": parts[2]}
        made |= {"part-submitted": parts[3], "part-draft": parts[4]}
        plan = CheckinPlan(
            couple_id=couple.id,
            partner_id=riley.id,
            frequency="daily",
            starts_on=date.today(),
            summary_for_partner=True,
        )
        session.add(plan)
        made["plan"] = plan
        for name, shared, back in (("checkin-shared", True, 0), ("checkin-private", False, 1)):
            made[name] = Checkin(
                couple_id=couple.id,
                partner_id=riley.id,
                period_start=date.today() - timedelta(days=back),
                frequency="daily",
                urges=2,
                shared_with_partner=shared,
            )
            session.add(made[name])
        made["screen"] = session.scalar(
            select(SafetyScreen).where(SafetyScreen.partner_id == harper.id)
        )
        session.flush()
        made["audit"] = session.scalar(select(AuditEntry).limit(1))
        made["sign-in"] = SignIn(user_id=riley.user_id, key_hash="0" * 64, device="Firefox")
        session.add(made["sign-in"])
        # What Alice is writing about her couple and has not saved yet; and Bob's.
        made["practitioner-draft"] = PractitionerDraft(
            user_id=alice.id, key=f"/review/{made['private'].id}", fields={"feedback": ["so"]}
        )
        bob = session.scalar(select(User).where(User.email == world.bob))
        made["other-draft"] = PractitionerDraft(
            user_id=bob.id, key=f"/couples/{world.other_couple_id}/sessions/new", fields={}
        )
        session.add_all([made["practitioner-draft"], made["other-draft"]])
        session.flush()
        # The safety net: the practice's helplines, an alert for Alice, and how Harper was
        # after reading Riley's part.
        made["crisis-line"] = CrisisLine(position=0, name="A helpline", phone="116 123")
        session.add(made["crisis-line"])
        made["alert"] = alerts.record(alerts.SLIP, couple, made["checkin-private"].id)
        made["after-reading"] = safety.answer_after_reading(
            harper, parts[1], "struggling", "Harper's words after reading"
        )
        session.flush()
        ids = {name: (type(thing), thing.id) for name, thing in made.items()}
        commit()
    return ids


def _readers(world) -> dict[str, User]:
    emails = {
        "owner": world.owner,
        "alice": world.alice,
        "bob": world.bob,
        "riley": world.recovering,
        "harper": world.hurt,
        "quinn": world.outsider,
    }
    return {name: session.scalar(select(User).where(User.email == e)) for name, e in emails.items()}


# Who reads each thing (the product brief's table, made concrete). The practitioner reads
# everything of their own couples but a client's drafts; the owner reads the audit log.
ALICE = {"alice"}
CHART = {"alice"}
EXPECTED = {
    "private": CHART | {"riley"},
    "shared": CHART | {"riley", "harper"},
    "draft": {"riley"},
    "revealed": CHART | {"riley", "harper"},
    "revealed-other": CHART | {"riley", "harper"},
    "unrevealed": CHART | {"riley"},
    "feedback": CHART | {"riley"},
    "joint-note": ALICE,
    "riley-note": ALICE,
    "harper-note": ALICE,
    "draft-note": ALICE,
    "addendum": ALICE,
    "part-app": CHART | {"riley", "harper"},
    "part-session": CHART | {"harper"},
    "part-submitted": CHART | {"riley"},
    "part-draft": {"harper"},
    "plan": CHART | {"riley", "harper"},
    "checkin-shared": CHART | {"riley", "harper"},
    "checkin-private": CHART | {"riley"},
    "screen": ALICE,
    "audit": {"owner"},
    # Where and when Riley is signed in: Riley's alone, not the practitioner's or owner's.
    "sign-in": {"riley"},
    # A practitioner's unsaved draft: theirs alone, not the owner's, nor the clients' it is
    # about, nor another practitioner's.
    "practitioner-draft": {"alice"},
    "other-draft": {"bob"},
    # --- safety net ---
    # Where to turn straight away is for everyone; an alert is the practitioner's alone, not
    # even the partner's it is about; how Harper was after reading is never Riley's.
    "crisis-line": {"owner", "alice", "bob", "riley", "harper", "quinn"},
    "alert": ALICE,
    "after-reading": CHART | {"harper"},
}
# With joint features off (a concerning safety answer), nothing crosses between partners.
CROSSING = {"shared", "revealed", "revealed-other", "part-app", "checkin-shared"}
AUTHORS = {
    "shared": "riley",
    "revealed": "riley",
    "revealed-other": "harper",
    "part-app": "riley",
    "checkin-shared": "riley",
}


def _who_reads(app, world, ids) -> dict[str, set[str]]:
    with app.app_context():
        readers = _readers(world)
        return {
            name: {
                reader
                for reader, user in readers.items()
                if privacy.may_read(user, session.get(kind, thing_id))
            }
            for name, (kind, thing_id) in ids.items()
        }


def test_every_readable_kind_has_its_readers(app, world, things):
    assert set(EXPECTED) == set(things)
    assert _who_reads(app, world, things) == EXPECTED


def test_with_joint_features_off_nothing_crosses_between_partners(app, world, things):
    with app.app_context():
        harper = session.get(Partner, world.hurt_id)
        safety.take_screen(harper, {**SAFE_ANSWERS, "hurt": True})
        commit()
    expected = dict(EXPECTED)
    for name in CROSSING:
        others = {"riley", "harper"} - {AUTHORS[name]}
        expected[name] = EXPECTED[name] - others
    assert _who_reads(app, world, things) == expected


def _ids(statement) -> set[int]:
    return set(session.scalars(statement))


@pytest.mark.parametrize("sharing", ["on", "off"])
def test_the_sql_filters_say_what_the_predicates_say(app, world, things, sharing):
    with app.app_context():
        if sharing == "off":
            safety.take_screen(session.get(Partner, world.hurt_id), {**SAFE_ANSWERS, "hurt": True})
            commit()
        readers = _readers(world)
        every = {
            kind: session.scalars(select(kind)).all()
            for kind in (
                Reflection,
                SessionNote,
                Checkin,
                AuditEntry,
                SignIn,
                PractitionerDraft,
                AlertEvent,
            )
        } | {AfterReading: session.scalars(select(AfterReading)).all()}
        for name, user in readers.items():
            by_predicate = {r.id for r in every[Reflection] if privacy.may_read(user, r)}
            query = select(Reflection.id).where(privacy.reflections_readable_by(user))
            assert _ids(query) == by_predicate, name
            by_predicate = {n.id for n in every[SessionNote] if privacy.may_read(user, n)}
            query = select(SessionNote.id).where(privacy.notes_readable_by(user))
            assert _ids(query) == by_predicate, name
            by_predicate = {e.id for e in every[AuditEntry] if privacy.may_read(user, e)}
            query = select(AuditEntry.id).where(privacy.audit_readable_by(user))
            assert _ids(query) == by_predicate, name
            by_predicate = {i.id for i in every[SignIn] if privacy.may_read(user, i)}
            query = select(SignIn.id).where(privacy.sign_ins_readable_by(user))
            assert _ids(query) == by_predicate, name
            by_predicate = {d.id for d in every[PractitionerDraft] if privacy.may_read(user, d)}
            query = select(PractitionerDraft.id).where(privacy.drafts_readable_by(user))
            assert _ids(query) == by_predicate, name
            by_predicate = {a.id for a in every[AlertEvent] if privacy.may_read(user, a)}
            query = select(AlertEvent.id).where(privacy.alerts_readable_by(user))
            assert _ids(query) == by_predicate, name
            by_predicate = {a.id for a in every[AfterReading] if privacy.may_read(user, a)}
            query = select(AfterReading.id).where(privacy.after_readings_readable_by(user))
            assert _ids(query) == by_predicate, name
        for name in ("riley", "harper"):
            partner = readers[name].partner
            theirs = {
                c.id
                for c in every[Checkin]
                if c.partner_id != partner.id and privacy.may_read(readers[name], c)
            }
            query = select(Checkin.id).where(privacy.checkins_shared_with(partner))
            assert _ids(query) == theirs, name
            handouts = {
                n.id
                for n in every[SessionNote]
                if privacy.may_take_handout(readers[name], n, partner)
            }
            assert _ids(select(SessionNote.id).where(privacy.handouts_of(partner))) == handouts
            shared = {
                r.id
                for r in every[Reflection]
                if r.author_id != partner.id
                and privacy.may_read(readers[name], r)
                and privacy.sharing_of(r) == privacy.Sharing.SHARED
            }
            assert _ids(select(Reflection.id).where(privacy.shared_with(partner))) == shared


def test_handouts_go_to_the_partner_they_are_for(app, world, things):
    with app.app_context():
        readers = _readers(world)
        riley, harper = readers["riley"].partner, readers["harper"].partner
        note = {
            name: session.get(SessionNote, things[name][1]) for name in things if "note" in name
        }
        takes = {
            (reader, name, partner.user.name.split()[0].lower())
            for reader in ("alice", "bob", "riley", "harper", "owner")
            for name, n in note.items()
            for partner in (riley, harper)
            if privacy.may_take_handout(readers[reader], n, partner)
        }
        assert takes == {
            # The practitioner takes any partner's handout of a session it was for.
            ("alice", "joint-note", "riley"),
            ("alice", "joint-note", "harper"),
            ("alice", "draft-note", "riley"),
            ("alice", "draft-note", "harper"),
            ("alice", "riley-note", "riley"),
            ("alice", "harper-note", "harper"),
            # A partner takes their own, once signed; never the other's individual session.
            ("riley", "joint-note", "riley"),
            ("riley", "riley-note", "riley"),
            ("harper", "joint-note", "harper"),
            ("harper", "harper-note", "harper"),
        }
        joint = note["draft-note"]
        joint.reflections = [session.get(Reflection, things[n][1]) for n in ("private", "shared")]
        joint.reflections.append(session.get(Reflection, things["revealed-other"][1]))
        carried = {r.author.name for r in privacy.handout_reflections(joint, harper)}
        assert carried == {"Harper Hurt"}
        session.rollback()


# --- the release copy: a couple's record made for one partner -----------------------------


def test_a_release_copy_holds_what_its_partner_may_read_and_nothing_else(app, world, things):
    with app.app_context():
        readers = _readers(world)
        riley, harper = readers["riley"].partner, readers["harper"].partner
        couple = riley.couple
        # Only the couple's practitioner makes one, and only for a partner of that couple.
        makers = {
            (reader, partner.user.name.split()[0].lower())
            for reader in ("alice", "bob", "riley", "harper", "owner")
            for partner in (riley, harper)
            if privacy.may_take_release_copy(readers[reader], couple, partner)
        }
        assert makers == {("alice", "riley"), ("alice", "harper")}
        outsider = readers["quinn"].partner
        assert not privacy.may_take_release_copy(readers["alice"], couple, outsider)

        # Signed joint sessions and the partner's own individual ones; never a draft, never
        # the other partner's individual session.
        note = {n: session.get(SessionNote, things[n][1]) for n in things if "note" in n}
        carried = {
            (partner.user.name.split()[0].lower(), name)
            for partner in (riley, harper)
            for name, n in note.items()
            if privacy.in_release_copy(partner, n)
        }
        assert carried == {
            ("riley", "joint-note"),
            ("riley", "riley-note"),
            ("harper", "joint-note"),
            ("harper", "harper-note"),
        }

        # Of what was discussed: what the partner may read in the app, no more. (On the
        # draft note: a signed note's reflections cannot change.)
        joint = note["draft-note"]
        discussed = ("private", "shared", "revealed", "revealed-other", "unrevealed")
        joint.reflections = [session.get(Reflection, things[n][1]) for n in discussed]
        by_id = {things[n][1]: n for n in discussed}
        in_copy = {
            p.user.name.split()[0].lower(): {
                by_id[r.id] for r in privacy.release_copy_reflections(p, joint)
            }
            for p in (riley, harper)
        }
        assert in_copy == {
            "riley": {"private", "shared", "revealed", "revealed-other", "unrevealed"},
            "harper": {"shared", "revealed", "revealed-other"},
        }
        # The ratings charted in a copy come from the same reflections.
        charted = _ids(
            select(Reflection.id)
            .join(Reflection.assignment)
            .where(Assignment.couple_id == couple.id, privacy.release_copy_ratings(harper))
        )
        assert {by_id[i] for i in charted if i in by_id} == in_copy["harper"]
        session.rollback()


def test_feedback_is_for_its_author_alone(app, world, things):
    with app.app_context():
        readers = _readers(world)
        reflection = session.get(Reflection, things["private"][1])
        assert [f.body for f in privacy.feedback_for(readers["riley"], reflection)] == ["for Riley"]
        assert privacy.feedback_for(readers["harper"], reflection) == []
        assert privacy.feedback_for(readers["bob"], reflection) == []
        assert len(privacy.feedback_for(readers["alice"], reflection)) == 1


def test_a_reveal_waits_for_both_answers(app, world, things):
    with app.app_context():
        readers = _readers(world)
        riley = readers["riley"].partner
        waiting = privacy.reveal_for(riley, session.get(Reflection, things["unrevealed"][1]))
        assert waiting.state == privacy.RevealState.WAITING and waiting.theirs is None
        revealed = privacy.reveal_for(riley, session.get(Reflection, things["revealed"][1]))
        assert revealed.state == privacy.RevealState.REVEALED
        assert revealed.theirs.id == things["revealed-other"][1]
        assert privacy.reveal_for(riley, session.get(Reflection, things["private"][1])) is None


def test_a_disclosure_part_in_session_is_never_text_in_the_app(app, world, things):
    with app.app_context():
        readers = _readers(world)
        part = session.get(DisclosurePart, things["part-session"][1])
        release = privacy.release_of(part)
        assert release.released and not release.in_app
        assert not privacy.may_read_part(readers["riley"], part)


def test_an_assignment_loaded_for_another_couple_is_not_found(app, world, things):
    # Objects named in a URL are loaded and checked before the view: another practitioner's
    # couple, and an assignment of one couple under another's URL, answer 404.
    with app.app_context():
        assignment = session.scalar(
            select(Assignment).where(Assignment.couple_id == world.couple_id).limit(1)
        )
        aid = assignment.id
    bob = Browser(app).login(world.bob)
    assert bob.get(f"/couples/{world.couple_id}").status_code == 404
    response = bob.post(
        f"/couples/{world.other_couple_id}/assignments/{aid}/close",
        form_url=f"/couples/{world.other_couple_id}",
    )
    assert response.status_code == 404


# --- the dashboard's check-in alerts -----------------------------------------------------


def test_check_in_alerts_are_the_practitioners_summaries_of_open_couples(app, world, things):
    """The dashboard's counts come from the plans whose summary the reader may read as
    practitioner (never a partner's, though a partner may read the summary), and none of an
    archived couple."""
    from practice.services import archive, sessions
    from tests.helpers.people import PASSWORD

    def alerts(user):
        return _ids(select(CheckinPlan.id).where(privacy.checkin_alerts_readable_by(user)))

    with app.app_context():
        readers = _readers(world)
        plans = session.scalars(select(CheckinPlan)).all()
        assert plans
        for name, user in readers.items():
            expected = {
                p.id
                for p in plans
                if not user.is_client and privacy.may_read_checkin_summary(user, p)
            }
            assert alerts(user) == expected, name
        assert alerts(readers["alice"])
        couple = session.get(Couple, world.couple_id)
        for note in archive.unsigned_notes(couple):
            sessions.sign(note, couple.practitioner, PASSWORD)
        archive.archive(couple, readers["alice"], "completed")
        commit()
        assert alerts(readers["alice"]) == set()


# --- history and search ----------------------------------------------------------------------

HISTORY_KINDS = {
    Reflection: "reflection",
    Feedback: "feedback",
    Checkin: "checkin",
    DisclosurePart: "part",
    SessionNote: "session",
}
# Drafts are never in a history or a search, whoever the reader (even their own author).
DRAFTS = {"draft", "part-draft"}


def test_a_couples_history_and_search_are_its_practitioners_alone(app, world, things):
    with app.app_context():
        readers = _readers(world)
        mine, bobs = (session.get(Couple, i) for i in (world.couple_id, world.other_couple_id))
        reach = {name for name, user in readers.items() if privacy.may_read_history(user, mine)}
        assert reach == {"alice"}
        reach = {name for name, user in readers.items() if privacy.may_read_history(user, bobs)}
        assert reach == {"bob"}
        findable = {
            name: _ids(select(Couple.id).where(privacy.couples_findable_by(user)))
            for name, user in readers.items()
        }
        # The owner runs a caseload of her own (empty here), never the practice's.
        assert findable == {
            "owner": set(),
            "alice": {world.couple_id},
            "bob": {world.other_couple_id},
            "riley": set(),
            "harper": set(),
            "quinn": set(),
        }


@pytest.mark.parametrize("sharing", ["on", "off"])
def test_the_history_holds_what_each_reader_may_read_and_no_draft(app, world, things, sharing):
    from practice.services import history

    with app.app_context():
        if sharing == "off":
            safety.take_screen(session.get(Partner, world.hurt_id), {**SAFE_ANSWERS, "hurt": True})
            commit()
        readers = _readers(world)
        couple = session.get(Couple, world.couple_id)
        for name, user in readers.items():
            listed = history.history(user, couple, history.Filters(), 1, 500)
            # The record's search: every item with words holds an "r" ("words of Riley",
            # "for Riley", "clinical words", "part 1"...); the check-ins here hold none.
            found = history.search_record(user, couple, "r", 1, 500)
            if name != "alice":
                assert not listed.items and not found.hits.items, name
                continue
            expected = {
                (HISTORY_KINDS[kind], thing_id)
                for thing, (kind, thing_id) in things.items()
                if kind in HISTORY_KINDS
                and thing not in DRAFTS
                and privacy.may_read(user, session.get(kind, thing_id))
            }
            # Everything of the couple the practitioner reads, drafts aside (the walk-through).
            assert expected == {
                (HISTORY_KINDS[things[thing][0]], things[thing][1])
                for thing, readers_of in EXPECTED.items()
                if "alice" in readers_of and things[thing][0] in HISTORY_KINDS
            } - {(HISTORY_KINDS[things[d][0]], things[d][1]) for d in DRAFTS}
            assert {(e.kind, e.id) for e in listed} == expected
            assert {(h.kind, h.id) for h in found.hits} == {
                (kind, thing_id) for kind, thing_id in expected if kind != "checkin"
            }


# --- release through the practitioner -------------------------------------------------------

# Couple A's shares wait for Alice: each shared reflection in each release state, and two
# reveal-together pairs, one with an answer still waiting.
HELD = {
    "held-waiting": CHART | {"riley"},
    "held-app": CHART | {"riley", "harper"},
    "held-session": CHART | {"riley"},
    "held-private": CHART | {"riley"},
    "pair-released": CHART | {"riley", "harper"},
    "pair-released-other": CHART | {"riley", "harper"},
    "pair-half": CHART | {"riley"},
    "pair-half-other": CHART | {"harper"},
}


@pytest.fixture
def held(app, world):
    slugs = ["finding-the-right-amount"] * 4 + ["hearing-and-being-heard"] * 2
    *plain_ids, pair_one, pair_two = assign_exercises(app, world.couple_id, *slugs)
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        couple.shares_wait_for_release = True
        riley, harper = (session.get(Partner, i) for i in (world.recovering_id, world.hurt_id))
        made = {}
        for name, aid, state in zip(
            ("held-waiting", "held-app", "held-session"),
            plain_ids[:3],
            ("waiting", "app", "session"),
            strict=True,
        ):
            made[name] = _reflection(aid, riley, shared=True)
            made[name].release_state = state
        made["held-private"] = _reflection(plain_ids[3], riley)
        for name, aid, author, state in (
            ("pair-released", pair_one, riley, "app"),
            ("pair-released-other", pair_one, harper, "app"),
            ("pair-half", pair_two, riley, "app"),
            ("pair-half-other", pair_two, harper, "waiting"),
        ):
            made[name] = _reflection(aid, author)
            made[name].release_state = state
        session.flush()
        ids = {name: (Reflection, thing.id) for name, thing in made.items()}
        commit()
    return ids


def test_what_waits_for_release_reaches_only_its_author_and_the_practitioner(app, world, held):
    assert _who_reads(app, world, held) == HELD
    with app.app_context():
        readers = _readers(world)
        every = session.scalars(select(Reflection)).all()
        for name, user in readers.items():
            by_predicate = {r.id for r in every if privacy.may_read(user, r)}
            query = select(Reflection.id).where(privacy.reflections_readable_by(user))
            assert _ids(query) == by_predicate, name
        harper = readers["harper"].partner
        shared = _ids(select(Reflection.id).where(privacy.shared_with(harper)))
        assert shared == {held["held-app"][1]}
        got = {
            name: privacy.sharing_of(session.get(Reflection, held[name][1]))
            for name in ("held-waiting", "held-app", "held-session", "held-private")
        }
        assert got == {
            "held-waiting": privacy.Sharing.WAITING,
            "held-app": privacy.Sharing.SHARED,
            "held-session": privacy.Sharing.SESSION,
            "held-private": privacy.Sharing.PRIVATE,
        }


def test_a_reveal_with_release_shows_both_answers_or_neither(app, world, held):
    with app.app_context():
        readers = _readers(world)
        riley, harper = readers["riley"].partner, readers["harper"].partner

        def reveal(partner, name):
            return privacy.reveal_for(partner, session.get(Reflection, held[name][1]))

        both = reveal(riley, "pair-released")
        assert both.state == privacy.RevealState.REVEALED and both.through_practitioner
        assert both.theirs.id == held["pair-released-other"][1]
        # Riley's answer is released, Harper's waits: Riley is told only "waiting", as before
        # Harper submitted; Harper, whose own answer waits, is told it waits.
        assert reveal(riley, "pair-half").state == privacy.RevealState.WAITING
        assert reveal(harper, "pair-half-other").state == privacy.RevealState.HELD
        pair = session.get(Reflection, held["pair-half-other"][1])
        pair.release_state = "session"
        assert reveal(harper, "pair-half-other").state == privacy.RevealState.IN_SESSION
        assert reveal(riley, "pair-half").state == privacy.RevealState.WAITING
        session.rollback()


def test_what_a_submit_holds_and_who_may_release_it(app, world, held):
    with app.app_context():
        readers = _readers(world)
        couple = session.get(Couple, world.couple_id)
        waiting = session.get(Reflection, held["held-waiting"][1])
        one, alone = waiting.assignment, session.get(Reflection, held["pair-half"][1]).assignment
        assert privacy.release_on_submit(one, couple, True) == "waiting"
        assert privacy.release_on_submit(one, couple, False) is None
        assert privacy.release_on_submit(alone, couple, False) == "waiting"
        releasers = {n for n, u in readers.items() if privacy.may_release(u, waiting)}
        assert releasers == {"alice"}
        released = session.get(Reflection, held["held-app"][1])
        assert not any(privacy.may_release(u, released) for u in readers.values())
        counted = _ids(select(Reflection.id).where(privacy.waiting_for_release(couple.id)))
        assert counted == {held["held-waiting"][1], held["pair-half-other"][1]}
        couple.shares_wait_for_release = False
        assert privacy.release_on_submit(one, couple, True) is None
        # What already waits keeps waiting when shares go at once again.
        assert _who_reads(app, world, held)["held-waiting"] == HELD["held-waiting"]
        session.rollback()


# --- measures ---------------------------------------------------------------------------------


@pytest.fixture
def answered(app, world):
    """Riley's and Harper's answers to the relationship check, on a schedule whose scores
    the couple agreed to share and on one whose they did not; ids by name."""
    from practice.services import measures

    with app.app_context():
        measures.load_built_in()
        couple = session.get(Couple, world.couple_id)
        riley, harper = couple.partners
        made = {}
        for shared in (True, False):
            schedule = measures.schedule_measure(
                couple,
                couple.practitioner,
                slug="relationship-check",
                cadence="start",
                every_weeks=None,
                from_day=None,
                scores_shared=shared,
                today=date.today(),
            )
            for partner in (riley, harper):
                response = measures.answer(
                    partner, schedule, {"trust": 3, "safety": 4, "connection": 5}
                )
                made[f"{partner.name.split()[0].lower()}-{'shared' if shared else 'private'}"] = (
                    response
                )
        session.flush()
        ids = {name: r.id for name, r in made.items()}
        commit()
    return ids


MEASURE_ANSWERS = {
    "riley-shared": CHART | {"riley"},
    "riley-private": CHART | {"riley"},
    "harper-shared": CHART | {"harper"},
    "harper-private": CHART | {"harper"},
}
MEASURE_SCORES = {
    "riley-shared": CHART | {"riley", "harper"},
    "riley-private": CHART | {"riley"},
    "harper-shared": CHART | {"riley", "harper"},
    "harper-private": CHART | {"harper"},
}


def _measure_readers(app, world, ids, predicate) -> dict[str, set[str]]:
    from practice.models import MeasureResponse

    with app.app_context():
        readers = _readers(world)
        return {
            name: {
                who
                for who, user in readers.items()
                if predicate(user, session.get(MeasureResponse, response_id))
            }
            for name, response_id in ids.items()
        }


def test_measure_answers_are_the_partners_own_and_scores_cross_only_when_agreed(
    app, world, answered
):
    assert _measure_readers(app, world, answered, privacy.may_read) == MEASURE_ANSWERS
    assert _measure_readers(app, world, answered, privacy.may_read_measure_score) == MEASURE_SCORES
    # A risk flag is the practitioner's alone, whoever gave the answer.
    risk = _measure_readers(app, world, answered, privacy.may_see_measure_risk)
    assert all(readers == {"alice"} for readers in risk.values())
    # With joint features off, even agreed scores stay with their author.
    with app.app_context():
        safety.take_screen(session.get(Partner, world.hurt_id), {**SAFE_ANSWERS, "hurt": True})
        commit()
    assert _measure_readers(app, world, answered, privacy.may_read_measure_score) == (
        MEASURE_ANSWERS
    )


@pytest.mark.parametrize("sharing", ["on", "off"])
def test_the_measure_scores_filter_says_what_the_predicate_says(app, world, answered, sharing):
    from practice.models import MeasureResponse

    if sharing == "off":
        with app.app_context():
            couple = session.get(Couple, world.couple_id)
            couple.sharing_paused_at = datetime.now(UTC)
            commit()
    with app.app_context():
        for who, user in _readers(world).items():
            allowed = _ids(
                select(MeasureResponse.id).where(privacy.measure_scores_readable_by(user))
            )
            expected = {
                response_id
                for response_id in answered.values()
                if privacy.may_read_measure_score(user, session.get(MeasureResponse, response_id))
            }
            assert allowed == expected, who


def test_only_a_partner_of_the_couple_answers_a_running_schedule(app, world, answered):
    from practice.models import MeasureResponse

    with app.app_context():
        readers = _readers(world)
        schedule = session.get(MeasureResponse, answered["riley-shared"]).schedule
        assert {w for w, u in readers.items() if privacy.may_answer_measure(u, schedule)} == {
            "riley",
            "harper",
        }
        schedule.stopped_at = datetime.now(UTC)
        assert not any(privacy.may_answer_measure(u, schedule) for u in readers.values())


# --- the session brief ---------------------------------------------------------------------


@pytest.mark.parametrize("sharing", ["on", "off"])
def test_the_brief_is_the_practitioners_alone_and_lists_no_draft(app, world, things, sharing):
    with app.app_context():
        if sharing == "off":
            safety.take_screen(session.get(Partner, world.hurt_id), {**SAFE_ANSWERS, "hurt": True})
            commit()
        readers = _readers(world)
        mine, theirs = (session.get(Couple, i) for i in (world.couple_id, world.other_couple_id))
        assert {n for n, u in readers.items() if privacy.may_read_brief(u, mine)} == {"alice"}
        assert {n for n, u in readers.items() if privacy.may_read_brief(u, theirs)} == {"bob"}
        # What a brief lists is what its reader, the practitioner, may read of the couple's
        # reflections: private and shared alike, never the draft.
        listed = _ids(select(Reflection.id).where(privacy.brief_reflections(mine)))
        readable = {
            r.id
            for r in session.scalars(select(Reflection))
            if r.assignment.couple_id == mine.id and privacy.may_read(readers["alice"], r)
        }
        assert listed == readable
        assert things["private"][1] in listed and things["draft"][1] not in listed
