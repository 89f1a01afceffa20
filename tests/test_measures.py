"""Measures: files checked by line and written back, scores against hand-computed values,
schedules, each partner answering alone, risk answers, and the charts' data.

The instruments here are made up (tests/data/harbour_calm.toml and the texts below); no
published questionnaire's items appear anywhere in Practice."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice.db import commit, session
from practice.measures import charts
from practice.measures.spec import (
    MeasureFileError,
    change,
    export_measure,
    in_clinical_range,
    parse_measure,
    risk_items,
    scores,
)
from practice.models import (
    AlertEvent,
    AuditEntry,
    Cadence,
    Couple,
    MeasureResponse,
    MeasureSchedule,
    MeasureVersion,
    Partner,
    User,
)
from practice.services import measures
from tests.helpers.database import counted_queries
from tests.helpers.people import Browser

DATA = Path(__file__).parent / "data"
HARBOUR = DATA / "harbour_calm.toml"
BUILT_IN = Path(measures.BUILT_IN)


def harbour() -> dict:
    return parse_measure(HARBOUR.read_text())


# --- scoring, against values worked out by hand ------------------------------------------------

# Options 0-3. "tense" is reversed (3 counts as 0). Steadiness = calm + rested + tense (sum,
# 0-9, clinical at or below 3, reliable change 3); Overall = mean of all four (0-3).
CASES = [
    # calm, rested, tense, worried -> steadiness, overall, risk items
    ((2, 1, 3, 0), 3, 0.75, []),  # 2 + 1 + (3-3=0) = 3; (2+1+0+0)/4
    ((3, 3, 0, 2), 9, 2.75, ["worried"]),  # 3 + 3 + 3 = 9; (3+3+3+2)/4; 2 > 1
    ((0, 0, 2, 1), 1, 0.5, []),  # 0 + 0 + 1 = 1; (0+0+1+1)/4; 1 is not above 1
    ((1, 2, 1, 3), 5, 2, ["worried"]),  # 1 + 2 + 2 = 5; (1+2+2+3)/4 = 2
]


@pytest.mark.parametrize(("given", "steady", "overall", "risky"), CASES)
def test_scores_follow_the_files_rules(given, steady, overall, risky):
    spec = harbour()
    answers = dict(zip(("calm", "rested", "tense", "worried"), given, strict=True))
    assert scores(spec, answers) == {"steady": steady, "overall": overall}
    assert risk_items(spec, answers) == risky


def test_cutoff_and_reliable_change_where_the_file_defines_them():
    steady, overall = harbour()["scales"]
    assert [in_clinical_range(steady, s) for s in (2, 3, 4)] == [True, True, False]
    assert in_clinical_range(overall, 1) is None  # no cutoff defined
    assert change(steady, 3, 9).words == "a reliable improvement"
    assert change(steady, 9, 6).words == "a reliable worsening"  # exactly 3: reliable
    assert change(steady, 3, 5).words == "no reliable change"
    assert change(overall, 0, 3) is None  # no threshold defined


def test_a_scale_where_higher_is_worse_and_the_cutoff_is_above():
    text = HARBOUR.read_text().replace(
        'higher_is = "better"\nrange = [0, 9]\ncutoff = 3\nclinical = "at-or-below"',
        'higher_is = "worse"\nrange = [0, 9]\ncutoff = 6\nclinical = "at-or-above"',
    )
    steady = parse_measure(text)["scales"][0]
    assert [in_clinical_range(steady, s) for s in (5, 6, 9)] == [False, True, True]
    assert change(steady, 8, 4).words == "a reliable improvement"  # down is better here


# --- files: every problem by line, nothing loaded, written back -------------------------------

BAD = """\
[measure]
slug = "Not A Slug"
name = "Broken"
version = 0
validated = true

[[measure.options]]
value = 0
label = "No"

[[items]]
key = "a"
text = "First"
risk_above = 5

[[items]]
key = "a"
text = "Second"
colour = "red"

[[scales]]
key = "total"
label = "Total"
items = ["a", "missing"]
method = "median"
higher_is = "better"
range = [0, 3]
cutoff = 2
"""


def test_every_problem_is_listed_with_its_line():
    with pytest.raises(MeasureFileError) as raised:
        parse_measure(BAD, "bad.toml")
    assert raised.value.problems == [
        "line 1: measure.citation: a validated instrument names its citation",
        "line 1: measure.licence: a validated instrument names its licence",
        "line 2: measure.slug: use lowercase letters, digits and hyphens",
        "line 4: measure.version: versions start at 1",
        "line 7: measure.options: give at least two answer options",
        "line 14: items[0].risk_above: no answer is above 5",
        "line 17: items[1].key: 'a' is used twice",
        "line 19: items[1].colour: unknown key",
        "line 21: scales[0].clinical: a cutoff and its clinical side go together",
        "line 24: scales[0].items: there is no item 'missing'",
        "line 25: scales[0].method: use 'sum' or 'mean'",
    ]


def test_a_range_that_the_items_do_not_give_is_refused():
    text = HARBOUR.read_text().replace("range = [0, 9]", "range = [0, 10]")
    with pytest.raises(MeasureFileError) as raised:
        parse_measure(text)
    assert raised.value.problems == ["line 50: scales[0].range: the items give 0 to 9"]


def test_load_refuses_a_broken_file_and_loads_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD)
    result = runner.invoke(args=["measure", "load", str(bad)])
    assert result.exit_code == 1
    assert f"{bad} was not loaded:" in result.output
    assert "  - line 25: scales[0].method: use 'sum' or 'mean'" in result.output
    with app.app_context():
        assert session.scalar(select(func.count(MeasureVersion.id))) == 0


def test_load_then_export_gives_the_same_file_back(app, runner, tmp_path):
    for path, slug in ((HARBOUR, "harbour-calm"), (BUILT_IN, "relationship-check")):
        loaded = runner.invoke(args=["measure", "load", str(path)])
        assert loaded.exit_code == 0, loaded.output
        out = tmp_path / f"{slug}.toml"
        exported = runner.invoke(args=["measure", "export", slug, "--out", str(out)])
        assert exported.exit_code == 0, exported.output
        assert out.read_bytes() == path.read_bytes()
    again = runner.invoke(args=["measure", "load", str(HARBOUR)])
    assert "harbour-calm, version 1): unchanged" in again.output
    assert (
        "Not a validated instrument."
        in runner.invoke(args=["measure", "load", str(BUILT_IN)]).output
    )


def test_a_file_in_another_layout_comes_back_with_the_same_meaning():
    # Comments, inline tables and another key order: the spec survives export and reload.
    text = """# my practice's copy
[measure]
validated = false
version = 2
name = "Tiny \\"quoted\\" check"
slug = "tiny"
[[items]]
text = "Right-to-left \u05e9\u05dc\u05d5\u05dd and emoji \U0001f33f"
key = "one"
options = [{ value = 1, label = "low" }, { value = 5, label = "high" }]
reverse = true
[[scales]]
items = ["one"]
key = "only"
label = "Only"
method = "sum"
higher_is = "worse"
"""
    spec = parse_measure(text)
    assert parse_measure(export_measure(spec)) == spec
    assert export_measure(parse_measure(export_measure(spec))) == export_measure(spec)
    assert spec["scales"][0]["range"] == [1, 5]
    assert scores(spec, {"one": 1}) == {"only": 5}  # reversed on its own options


def test_a_changed_file_needs_a_new_version_and_answers_keep_theirs(app, world, runner, tmp_path):
    with app.app_context():
        measures.load_measure(harbour())
        couple = session.get(Couple, world.couple_id)
        schedule = _schedule(couple, "harbour-calm", Cadence.STEP_CHANGE)
        riley = session.get(Partner, world.recovering_id)
        first = measures.answer(riley, schedule, {"calm": 2, "rested": 1, "tense": 3, "worried": 0})
        commit()
        first_id, schedule_id = first.id, schedule.id
    changed = tmp_path / "changed.toml"
    changed.write_text(HARBOUR.read_text().replace("I slept well enough.", "I slept well."))
    refused = runner.invoke(args=["measure", "load", str(changed)])
    assert "version 1 of 'harbour-calm' is loaded already with other content" in refused.output
    changed.write_text(changed.read_text().replace("version = 1", "version = 2"))
    assert runner.invoke(args=["measure", "load", str(changed)]).exit_code == 0
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        couple.current_step = 2
        riley = session.get(Partner, world.recovering_id)
        schedule = session.get(MeasureSchedule, schedule_id)
        second = measures.answer(
            riley, schedule, {"calm": 3, "rested": 3, "tense": 0, "worried": 0}
        )
        commit()
        assert session.get(MeasureResponse, first_id).measure.version == 1
        assert second.measure.version == 2
        assert "I slept well enough." in export_measure(
            session.get(MeasureResponse, first_id).measure.spec
        )
        # Both versions' scores are on one chart per scale.
        alice = session.scalar(select(User).where(User.email == world.alice))
        steady = measures.scores_over_time(alice, couple)[0]
        assert [v for _, v in steady.points[riley.id]] == [3, 9]


# --- schedules: what is due when ---------------------------------------------------------------


def _last(days_ago: int, step: int = 1, today=date(2026, 12, 4)):
    return measures.Last(today - timedelta(days=days_ago), step)


def test_what_is_due_on_each_cadence():
    today = date(2026, 12, 4)
    start = MeasureSchedule(cadence=Cadence.START, from_day=today - timedelta(days=30))
    assert measures.is_due(start, None, today, 1)
    assert not measures.is_due(start, _last(20), today, 1)

    once = MeasureSchedule(cadence=Cadence.ONCE, from_day=today + timedelta(days=3))
    assert not measures.is_due(once, None, today, 1)  # not before its day
    assert measures.is_due(once, None, today + timedelta(days=3), 1)

    # Every 2 weeks from 30 days ago: periods start 30, 16 and 2 days ago.
    every = MeasureSchedule(
        cadence=Cadence.EVERY_WEEKS, every_weeks=2, from_day=today - timedelta(days=30)
    )
    assert measures.is_due(every, None, today, 1)
    assert measures.is_due(every, _last(3), today, 1)  # answered in the period before
    assert not measures.is_due(every, _last(2), today, 1)  # answered in this one

    steps = MeasureSchedule(cadence=Cadence.STEP_CHANGE, from_day=today)
    assert measures.is_due(steps, None, today, 1)
    assert not measures.is_due(steps, _last(0, step=1), today, 1)
    assert measures.is_due(steps, _last(0, step=1), today, 2)

    stopped = MeasureSchedule(cadence=Cadence.START, from_day=today, stopped_at=datetime.now(UTC))
    assert not measures.is_due(stopped, None, today, 1)


def _schedule(couple, slug, cadence, *, shared=False, every_weeks=None) -> MeasureSchedule:
    return measures.schedule_measure(
        couple,
        couple.practitioner,
        slug=slug,
        cadence=cadence,
        every_weeks=every_weeks,
        from_day=None,
        scores_shared=shared,
        today=date.today(),
    )


def test_scheduling_refuses_what_cannot_be_right_and_keeps_what_was_typed(app, world):
    with app.app_context():
        measures.load_built_in()
        commit()
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/measures"
    page = alice.post(
        url, {"measure": "relationship-check", "cadence": "every-weeks", "every_weeks": "many"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Enter a whole number of weeks from 1 to 52." in text
    assert 'value="many"' in text
    assert 'value="every-weeks" checked' in text or 'checked id="cadence-1"' in text
    page = alice.post(
        url, {"measure": "relationship-check", "cadence": "once", "from_day": "2020-01-01"}
    )
    assert "This day has passed; give today or a later day." in page.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(func.count(MeasureSchedule.id))) == 0


# --- answering, privately ---------------------------------------------------------------------


def _choices(spec_items: list, values: list) -> dict:
    return {f"item_{key}": str(value) for key, value in zip(spec_items, values, strict=True)}


HARBOUR_KEYS = ["calm", "rested", "tense", "worried"]


def _harbour_for_couple(app, world, cadence=Cadence.START) -> int:
    """The made-up instrument loaded and scheduled for Riley and Harper; the schedule's id."""
    with app.app_context():
        measures.load_measure(harbour())
        schedule = _schedule(session.get(Couple, world.couple_id), "harbour-calm", cadence)
        commit()
        return schedule.id


def test_each_partner_answers_alone_and_sees_only_their_own(app, world):
    schedule_id = _harbour_for_couple(app, world)
    riley, harper = Browser(app).login(world.recovering), Browser(app).login(world.hurt)
    assert "A few questions for you" in riley.text("/my/")
    form_url = f"/my/measures/{schedule_id}"
    form = riley.text(form_url)
    assert "I felt tense around my partner." in form
    assert "Harper Hurt does not" in form

    # One item left out: a message beside it, the other choices kept, nothing saved.
    refused = riley.post(form_url, {"item_calm": "2", "item_rested": "1", "item_tense": "3"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert re.search(r'id="item_worried-error">Please choose one answer here.', text)
    assert re.search(r'checked id="item_calm-2"', text)
    with app.app_context():
        assert session.scalar(select(func.count(MeasureResponse.id))) == 0

    done = riley.post(form_url, _choices(HARBOUR_KEYS, [2, 1, 3, 0]))
    assert done.status_code == 302
    # A second submit (a double click) saves nothing more.
    again = riley.post(form_url, _choices(HARBOUR_KEYS, [0, 0, 0, 0]), form_url="/my/reminders")
    assert again.status_code == 302
    with app.app_context():
        assert session.scalar(select(func.count(MeasureResponse.id))) == 1
    mine = riley.text("/my/measures")
    assert "Steadiness" in mine and "<td>3</td>" in mine
    assert "Harper" not in mine.split("Your scores over time")[1]  # no line, no legend
    assert "Nothing to answer right now" in mine
    home = riley.text("/my/")
    assert "A few questions for you" not in home and "Your questionnaires and scores" in home

    # Harper has it to answer still, and sees nothing of Riley's.
    theirs = harper.text("/my/measures")
    assert "Answer now" in theirs
    assert "Riley" not in theirs.split("Your scores over time")[1]


def test_scores_reach_the_other_partner_only_when_agreed(app, world):
    with app.app_context():
        measures.load_measure(harbour())
        schedule = _schedule(
            session.get(Couple, world.couple_id), "harbour-calm", Cadence.START, shared=True
        )
        riley = session.get(Partner, world.recovering_id)
        measures.answer(riley, schedule, {"calm": 3, "rested": 3, "tense": 0, "worried": 0})
        commit()
    harper = Browser(app).login(world.hurt)
    page = harper.text("/my/measures")
    assert "<td>Riley Recovering</td>" in page and "<td>9</td>" in page
    # The scores, never the answers, and no clinical band on a partner's page.
    assert "Very much" not in page and "clinical" not in page


def test_a_risk_answer_is_flagged_for_the_practitioner_at_once(app, world):
    before = datetime.now(UTC) - timedelta(seconds=1)
    schedule_id = _harbour_for_couple(app, world)
    riley = Browser(app).login(world.recovering)
    sent = riley.post(f"/my/measures/{schedule_id}", _choices(HARBOUR_KEYS, [1, 2, 1, 3]))
    # The partner is shown where to turn straight away, as after risk words, with nothing
    # clinical said to them.
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/my/safety/help")
    help_page = riley.text("/my/safety/help")
    assert "where to turn today" in help_page
    assert "risk" not in riley.text("/my/measures").lower()
    with app.app_context():
        response = session.scalar(select(MeasureResponse))
        # The practitioner's same-day e-mail alert is recorded for it, once.
        events = session.scalars(select(AlertEvent)).all()
        assert [(e.kind, e.subject_id) for e in events] == [("risk_answer", response.id)]
        assert measures.risk_answered(response)
        assert response.risk_items == ["worried"]
        assert [r.id for r in measures.risk_answers_since(before)] == [response.id]
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"measure.answered", "measure.risk_answer"} <= actions
        response_id = response.id
    alice = Browser(app).login(world.alice)
    couple_page = alice.text(f"/couples/{world.couple_id}")
    assert "A risk answer:" in couple_page
    assert "Riley Recovering answered a risk item of Harbour Calm Scale" in couple_page
    measures_url = f"/couples/{world.couple_id}/measures"
    assert "(above the risk threshold)" in alice.text(measures_url)
    alice.post(f"{measures_url}/answers/{response_id}/seen", form_url=measures_url)
    assert "A risk answer:" not in alice.text(f"/couples/{world.couple_id}")
    # Another practitioner reaches none of it.
    bob = Browser(app).login(world.bob)
    assert bob.get(measures_url).status_code == 404
    assert (
        bob.post(
            f"{measures_url}/answers/{response_id}/seen",
            form_url=f"/couples/{world.other_couple_id}/measures",
        ).status_code
        == 404
    )


# --- charts -------------------------------------------------------------------------------------


def test_chart_data_per_scale_per_partner_with_band_and_reliable_change(app, world):
    with app.app_context():
        measures.load_measure(harbour())
        couple = session.get(Couple, world.couple_id)
        schedule = _schedule(couple, "harbour-calm", Cadence.EVERY_WEEKS, every_weeks=1)
        riley, harper = couple.partners
        for partner, values in (
            (riley, (2, 1, 3, 0)),  # 3
            (riley, (3, 3, 0, 0)),  # 9
            (harper, (1, 2, 1, 0)),  # 5
            (harper, (2, 2, 1, 0)),  # 6
        ):
            measures.answer(partner, schedule, dict(zip(HARBOUR_KEYS, values, strict=True)))
        commit()
        series = measures.scores_over_time(couple.practitioner, couple)
        assert [s.key for s in series] == ["steady", "overall"]
        steady = series[0]
        assert {pid: [v for _, v in pts] for pid, pts in steady.points.items()} == {
            riley.id: [3, 9],
            harper.id: [5, 6],
        }
        figures = charts.figures(series, couple)
        assert figures[0].band == {"from": 0, "to": 3, "words": "clinical range: 3 or less"}
        assert figures[0].changes == [
            "Riley Recovering: 3 to 9, a reliable improvement (a change of 3 or more counts "
            "as reliable)",
            "Harper Hurt: 5 to 6, no reliable change (a change of 3 or more counts as reliable)",
        ]
        assert figures[1].band is None and figures[1].changes == []
        assert 'class="band"' in figures[0].markup and 'class="band"' not in figures[1].markup
        assert "Harbour Calm Scale, 0 to 9" in figures[0].markup
        # Riley sees only Riley's line (the couple did not agree to share scores).
        mine = measures.scores_over_time(riley.user, couple)
        assert set(mine[0].points) == {riley.id}


def test_the_relationship_check_is_charted_on_the_1_to_10_scale(app, world):
    with app.app_context():
        measures.load_built_in()
        couple = session.get(Couple, world.couple_id)
        schedule = _schedule(couple, "relationship-check", Cadence.START)
        measures.answer(couple.partners[0], schedule, {"trust": 4, "safety": 6, "connection": 7})
        commit()
    page = Browser(app).login(world.alice).text(f"/couples/{world.couple_id}")
    assert "Trust (Relationship check, 1 to 10)" in page
    assert "Relationship check is not a validated instrument" in page
    assert "clinical range" not in page  # it defines no cutoff


def test_query_counts_stay_flat_as_answers_grow(app, world):
    with app.app_context():
        measures.load_measure(harbour())
        measures.load_built_in()
        couple = session.get(Couple, world.couple_id)
        weekly = _schedule(couple, "harbour-calm", Cadence.EVERY_WEEKS, every_weeks=1)
        check = _schedule(couple, "relationship-check", Cadence.STEP_CHANGE)
        commit()
        ids = weekly.id, check.id

    def grow(n):
        with app.app_context():
            weekly, check = (session.get(MeasureSchedule, i) for i in ids)
            for partner in session.get(Couple, world.couple_id).partners:
                for k in range(n):
                    measures.answer(partner, weekly, dict.fromkeys(HARBOUR_KEYS, k % 2 + 1))
                    measures.answer(partner, check, {"trust": 5, "safety": 5, "connection": 5})
            commit()

    def counts():
        alice, riley = Browser(app).login(world.alice), Browser(app).login(world.recovering)
        out = {}
        for who, url in (
            (alice, f"/couples/{world.couple_id}"),
            (alice, f"/couples/{world.couple_id}/measures"),
            (riley, "/my/"),
            (riley, "/my/measures"),
        ):
            with counted_queries(app) as statements:
                assert who.get(url).status_code == 200
            out[url] = len(statements)
        return out

    grow(1)
    small = counts()
    grow(12)
    assert counts() == small


def test_the_readmes_example_file_is_the_tests_instrument():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Measures", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    shown, tested = parse_measure(example), harbour()
    # The same items, options and scales (so the same scores); only the words about it differ.
    assert shown["items"] == tested["items"] and shown["scales"] == tested["scales"]
    assert shown["measure"]["options"] == tested["measure"]["options"]


def test_the_pdf_flowables_draw_every_scale_with_its_words(app, world, tmp_path):
    import io
    import subprocess

    from pypdf import PdfReader

    from practice.measures.pdf import measures_section
    from practice.pdf.common import render

    with app.app_context():
        measures.load_measure(harbour())
        couple = session.get(Couple, world.couple_id)
        schedule = _schedule(couple, "harbour-calm", Cadence.EVERY_WEEKS, every_weeks=1)
        riley, harper = couple.partners
        for partner, values in (
            (riley, (2, 1, 3, 0)),
            (riley, (3, 3, 0, 0)),
            (harper, (1, 2, 1, 0)),
        ):
            measures.answer(partner, schedule, dict(zip(HARBOUR_KEYS, values, strict=True)))
        commit()
        data = charts.pdf_data(measures.scores_over_time(couple.practitioner, couple), couple)
        names = [p.name for p in couple.partners]
    content = render(
        measures_section(data, names),
        title="Measures",
        author="Alice",
        subject="test",
        created=datetime.now(UTC),
        creator="Practice",
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    flat = " ".join(text.split())
    assert "Steadiness (Harbour Calm Scale, 0 to 9)" in flat
    assert "Overall (Harbour Calm Scale, 0 to 3)" in flat
    assert "The shaded band is the clinical range: 3 or less." in flat
    assert "Riley Recovering: 3 to 9, a reliable improvement" in flat
    out = tmp_path / "measures.pdf"
    out.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_step_changes_sessions_and_slips_are_marked_on_the_time_axis(app, world):
    from practice.models import Checkin, SessionNote, StepOpening

    now = datetime.now(UTC)
    with app.app_context():
        measures.load_measure(harbour())
        couple = session.get(Couple, world.couple_id)
        riley = couple.partners[0]
        schedule = _schedule(couple, "harbour-calm", Cadence.EVERY_WEEKS, every_weeks=1)
        for values, days_ago in (((2, 1, 3, 0), 20), ((3, 3, 0, 0), 0)):
            response = measures.answer(
                riley, schedule, dict(zip(HARBOUR_KEYS, values, strict=True))
            )
            response.answered_at = now - timedelta(days=days_ago)
        session.add(
            StepOpening(couple_id=couple.id, step_position=2, opened_at=now - timedelta(days=15))
        )
        session.add(
            SessionNote(
                couple_id=couple.id,
                practitioner_id=couple.practitioner_id,
                starts_at=now - timedelta(days=10),
                duration_minutes=50,
                kind="joint",
                note_format="free",
                sections={"note": "x"},
            )
        )
        session.add(
            Checkin(
                couple_id=couple.id,
                partner_id=riley.id,
                period_start=(now - timedelta(days=5)).date(),
                frequency="daily",
                urges=3,
                slip=True,
                slip_at=now - timedelta(days=5),
            )
        )
        # Outside the answers' span: not drawn.
        session.add(
            StepOpening(couple_id=couple.id, step_position=3, opened_at=now - timedelta(days=40))
        )
        commit()
        series = measures.scores_over_time(couple.practitioner, couple)
        shown = charts.figures(series, couple)[0]
        markup = str(shown.markup)
        assert shown.marked
        assert markup.count('class="marker') == 3
        assert "step 2 opened" in markup and "step 3 opened" not in markup
        assert 'class="marker session"' in markup and 'class="marker slip"' in markup
        # A partner's own chart carries none of them.
        assert 'class="marker' not in str(charts.figures(series, couple, clinical=False)[0].markup)


@pytest.mark.parametrize("value", ["abc", "7", "", "1.5", "\x00", "-0"])
def test_an_answer_that_is_not_one_of_the_choices_is_asked_again_kindly(app, world, value):
    url = f"/my/measures/{_harbour_for_couple(app, world)}"
    riley = Browser(app).login(world.recovering)
    page = riley.post(url, {**_choices(HARBOUR_KEYS, [2, 1, 3, 0]), "item_calm": value})
    text = page.get_data(as_text=True)
    if value == "-0":  # "-0" is 0, one of the choices: saved
        assert page.status_code == 302
        return
    assert page.status_code == 200
    assert 'id="item_calm-error">Please choose one answer here.' in text
    assert 'checked id="item_rested-1"' in text  # the other choices are kept
    with app.app_context():
        assert session.scalar(select(func.count(MeasureResponse.id))) == 0


def test_the_session_pdf_and_record_chart_the_scores_each_reader_may_read(app, world):
    """The practitioner's session PDF and chart carry the measures, up to the session; a
    release copy for Harper carries none of Riley's scores (not shared) and no markers."""
    import io

    from pypdf import PdfReader

    from tests.helpers.people import signed_session

    def flat(response) -> str:
        assert response.status_code == 200
        reader = PdfReader(io.BytesIO(response.data))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    with app.app_context():
        measures.load_measure(harbour())
        couple = session.get(Couple, world.couple_id)
        schedule = _schedule(couple, "harbour-calm", Cadence.EVERY_WEEKS, every_weeks=1)
        riley = session.get(Partner, world.recovering_id)
        for values in ((2, 1, 3, 0), (3, 3, 0, 0)):
            measures.answer(riley, schedule, dict(zip(HARBOUR_KEYS, values, strict=True)))
        commit()
    # A session after the answers, and one before them (its PDF ends at the session).
    later = signed_session(app, world.couple_id, starts_at=datetime.now(UTC) + timedelta(hours=1))
    earlier = signed_session(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    note = flat(alice.get(f"/sessions/{later}/pdf"))
    assert "Measures over time" in note
    assert "Steadiness (Harbour Calm Scale, 0 to 9)" in note
    assert "Measures over time" not in flat(alice.get(f"/sessions/{earlier}/pdf"))
    chart = flat(alice.get(f"/couples/{world.couple_id}/record/pdf"))
    assert chart.count("Measures over time") == 1 and "Riley Recovering: 3 to 9" in chart
    copy = flat(alice.get(f"/couples/{world.couple_id}/record/release/{world.hurt_id}/pdf"))
    assert "Measures over time" not in copy and "Harbour Calm" not in copy
    mine = flat(alice.get(f"/couples/{world.couple_id}/record/release/{world.recovering_id}/pdf"))
    assert "Measures over time" in mine and "Dotted lines" not in mine
