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
}
# Where reading one is not deciding who reads what, and why.
ALLOWED = {
    # The program file format defines the setting and copies it from the file.
    ("practice/programs/loader.py", "reveal_together"),
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
            for kind in (Reflection, SessionNote, Checkin, AuditEntry, SignIn, AlertEvent)
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
