"""The PDFs as the app makes them from the database: read back with pypdf. The session note
a clinic files, handouts named for their partner, times in the zone of whoever downloads,
and the whole record from the command line in both kinds."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Exercise, Partner, User
from practice.services import assignments, reflections, sessions
from tests.helpers.audit import entries
from tests.helpers.people import PASSWORD, Browser, record_session

RATED = "finding-the-right-amount"  # an exercise with rating questions


def pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def _set_zone(app, email: str, zone: str) -> None:
    with app.app_context():
        session.scalar(select(User).where(User.email == email)).timezone = zone
        commit()


@pytest.fixture
def dap(app, world) -> dict:
    """A signed DAP note of a short session: both partners' rated reflections discussed
    (one rating each: no chart to draw), homework for both and for one partner."""
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley, harper = couple.partners
        today = date.today()
        exercise = session.scalar(select(Exercise).where(Exercise.slug == RATED))
        (both,) = assignments.assign(
            couple,
            [exercise],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=today,
        )
        questions = [q["key"] for q in both.ratings]
        done = [
            reflections.save(
                partner,
                both,
                answers=[f"{partner.name.split()[0]} answers", "", ""],
                ratings={key: 6 for key in questions},
                shared=True,
                submit=True,
                today=today,
            )[0]
            for partner in (riley, harper)
        ]
        note = record_session(
            couple,
            couple.practitioner,
            note_format="dap",
            sections={
                "data": "They talked about the week and a hard evening.",
                "assessment": "Both calmer than last time.",
                "plan": "Keep the evening check-in.",
            },
            reflection_ids=[r.id for r in done],
        )
        boundaries = session.scalar(select(Exercise).where(Exercise.slug == "boundary-agreement"))
        log = session.scalar(select(Exercise).where(Exercise.slug == "weekly-openness-log"))
        assignments.assign(
            couple,
            [boundaries, log],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=today,
            set_in=note,
        )
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        return {"note": note.id, "riley": riley.id, "harper": harper.id, "questions": questions}


def test_a_short_dap_note_is_one_or_two_pages_signed_before_the_reflections(app, world, dap):
    alice = Browser(app).login(world.alice)
    text = pages(alice.get(f"/sessions/{dap['note']}/pdf").data)
    assert len(text) <= 2
    whole = " ".join(text)
    order = ["Note: DAP", "Keep the evening check-in", "Signature", "By signing"]
    order += ["Reflections discussed", "Riley answers", "Harper answers"]
    positions = [whole.index(words) for words in order]
    assert positions == sorted(positions)
    assert "Ratings over time" not in whole  # one rating each: nothing to chart
    assert "?: 6/10" not in whole and "? — 6/10" in whole


def test_times_in_a_pdf_are_in_the_zone_of_whoever_downloads_it(app, world, dap):
    # The session began at 17:00 UTC on Fri 20 Nov 2026.
    _set_zone(app, world.alice, "America/New_York")
    _set_zone(app, world.hurt, "Asia/Tokyo")
    alice = Browser(app).login(world.alice)
    note = " ".join(pages(alice.get(f"/sessions/{dap['note']}/pdf").data))
    assert "Fri 20 Nov 2026, 12:00" in note and "17:00" not in note
    handout = alice.get(f"/sessions/{dap['note']}/handouts/{dap['harper']}/pdf")
    assert "Fri 20 Nov 2026, 12:00" in " ".join(pages(handout.data))
    harper = Browser(app).login(world.hurt)
    own = harper.get(f"/my/handouts/{dap['note']}/pdf")
    assert own.status_code == 200
    assert "Sat 21 Nov 2026, 02:00" in " ".join(pages(own.data))
    assert "2026-11-21" in own.headers["Content-Disposition"]


def test_handouts_are_named_for_their_partner_without_role_labels_or_clinical_footer(
    app, world, dap
):
    alice = Browser(app).login(world.alice)
    got = {}
    for key in ("riley", "harper"):
        response = alice.get(f"/sessions/{dap['note']}/handouts/{dap[key]}/pdf")
        got[key] = (response.headers["Content-Disposition"], " ".join(pages(response.data)))
    assert 'filename="handout-2026-11-20-riley-recovering.pdf"' in got["riley"][0]
    assert 'filename="handout-2026-11-20-harper-hurt.pdf"' in got["harper"][0]
    for disposition, text in got.values():
        assert "attachment" in disposition
        for label in ("Partner who was hurt", "Partner in recovery", "Confidential:"):
            assert label not in text, label
        assert "This handout is yours" in text
        # The program's guidance for the step the homework comes from.
        assert "not punishments" in text  # step 3's words
    assert "For: Both of you" in got["harper"][1]
    # Riley's homework comes from two steps (the log is step 1's), Harper's from one.
    assert "About these steps" in got["riley"][1] and "About this step" in got["harper"][1]
    assert "Weekly openness log" in got["riley"][1] and "For: You ·" in got["riley"][1]
    assert "Weekly openness log" not in got["harper"][1]


def test_a_name_in_any_script_still_gives_a_file_name(app, world, dap):
    with app.app_context():
        session.get(Partner, dap["harper"]).user.name = "Zoë 李"
        commit()
    alice = Browser(app).login(world.alice)
    response = alice.get(f"/sessions/{dap['note']}/handouts/{dap['harper']}/pdf")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="handout-2026-11-20-zoe.pdf"' in disposition
    assert "filename*=UTF-8''handout-2026-11-20-Zo%C3%AB%20%E6%9D%8E.pdf" in disposition


def test_the_session_pdfs_charts_end_at_the_session(app, world, dap):
    from practice.services import documents
    from practice.services.clock import zone

    with app.app_context():
        from practice.models import SessionNote

        note = session.get(SessionNote, dap["note"])
        data = documents.session_pdf(note, "P", zone("Europe/Berlin"))
        assert data.charts_until == datetime(2026, 11, 20, 17, 50, tzinfo=UTC)
        assert data.charts_until.utcoffset().total_seconds() == 3600  # in the reader's zone
        assert all(
            m.utcoffset().total_seconds() == 3600
            for s in data.ratings
            for pts in s.points.values()
            for m, _ in pts
        )


# --- export-record on the command line ------------------------------------------------------


def test_export_record_writes_both_kinds_and_logs_them(app, world, dap, runner, tmp_path):
    app.config["PRACTICE_TIMEZONE"] = "America/New_York"
    chart = tmp_path / "chart.pdf"
    result = runner.invoke(args=["export-record", str(world.couple_id), "--out", str(chart)])
    assert result.exit_code == 0, result.output
    assert "clinical chart, 1 signed sessions" in result.output
    text = " ".join(pages(chart.read_bytes()))
    assert "Fri 20 Nov 2026, 12:00" in text  # the practice's zone
    copy = tmp_path / "copy.pdf"
    result = runner.invoke(
        args=[
            "export-record",
            str(world.couple_id),
            "--kind",
            "release",
            "--for-partner",
            str(dap["harper"]),
            "--out",
            str(copy),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "release copy for Harper Hurt" in result.output
    meta = PdfReader(io.BytesIO(copy.read_bytes())).metadata
    assert meta.title.startswith("Release copy for Harper Hurt")
    logged = [(row["action"], row["couple_id"], row["detail"]) for row in entries(app)]
    assert ("record.exported", world.couple_id, "command line") in logged
    assert (
        "record.released",
        world.couple_id,
        f"partner_id {dap['harper']}, command line",
    ) in logged


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--kind", "release"], "add --for-partner ID"),
        (["--kind", "chart", "--for-partner", "{harper}"], "leave out --kind chart"),
        (["--for-partner", "{quinn}"], "is not a partner of"),
        (["--kind", "copy"], "'copy' is not one of 'chart', 'release'"),
        (["--for-partner", "harper"], "'harper' is not a valid integer"),
    ],
)
def test_export_record_says_what_is_wrong(app, world, dap, runner, tmp_path, extra, message):
    out = tmp_path / "record.pdf"
    ids = {"harper": dap["harper"], "quinn": world.outsider_id}
    args = [a.format(**ids) for a in extra]
    result = runner.invoke(args=["export-record", str(world.couple_id), *args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert not out.exists()
    assert entries(app, action="record.released") == []


def test_the_couple_page_offers_the_chart_and_a_release_copy_for_each_partner(app, world, dap):
    alice = Browser(app).login(world.alice)
    page = alice.get(f"/couples/{world.couple_id}").get_data(as_text=True)
    links = dict(
        (text, href)
        for href, text in re.findall(r'<a href="([^"]*/record/[^"]*)">([^<]*)</a>', page)
    )
    assert links == {
        "clinical chart (PDF)": f"/couples/{world.couple_id}/record/pdf",
        "for Riley Recovering (PDF)": (
            f"/couples/{world.couple_id}/record/release/{dap['riley']}/pdf"
        ),
        "for Harper Hurt (PDF)": f"/couples/{world.couple_id}/record/release/{dap['harper']}/pdf",
    }
    for href in links.values():
        response = alice.get(href)
        assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_a_handout_says_where_to_turn_straight_away(app, world, dap):
    """The practice's helplines, as the owner listed them, with the words that always go
    with them; the practice's own words never become markup in the PDF."""
    owner = Browser(app).login(world.owner)
    listed = owner.post(
        "/admin/help-now/",
        {"country": "the UK", "lines": "Samaritans <b>x</b> | 116 123 |  | | Day and night"},
    )
    assert listed.status_code == 302
    harper = Browser(app).login(world.hurt)
    text = " ".join(pages(harper.get(f"/my/handouts/{dap['note']}/pdf").data))
    assert "Where to turn straight away" in text
    assert "call your local emergency number" in text
    assert "Services in the UK" in text
    assert "Samaritans <b>x</b>: call 116 123 · Day and night" in text
    assert "around the clock" in text
