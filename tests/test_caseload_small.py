"""Small caseload items of issue 15: one role per partner on the new-couple form, the
site's icon, and each step's guidance on the assign page and the client's step."""

import re

from sqlalchemy import func, select

from practice.db import session
from practice.models import Couple
from tests.helpers.people import NEW_COUPLE, Browser, assign_exercises


def _couples(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(Couple.id)))


def test_both_partners_in_one_role_is_refused_beside_the_second_role(app, world):
    alice = Browser(app).login(world.alice)
    before = _couples(app)
    typed = {
        **NEW_COUPLE,
        "first_email": "sam@example.org",
        "second_email": "jo@example.org",
        "second_role": "recovering",
        "name": "The Parkers",
    }
    response = alice.post("/couples/new", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = re.search(r'<p class="error" id="second_role-error">([^<]+)</p>', page)
    assert message, page
    assert "Both partners are “Partner in recovery” now" in message.group(1)
    assert "Choose “Partner who was hurt” for one of them." in message.group(1)
    assert 'value="The Parkers"' in page and 'value="sam@example.org"' in page
    assert re.search(r'<option selected value="recovering">', page) or re.search(
        r'<option value="recovering" selected>', page
    ), "the roles as chosen are kept"
    assert _couples(app) == before
    response = alice.post("/couples/new", {**typed, "second_role": "hurt"})
    assert response.status_code == 302 and _couples(app) == before + 1


def test_the_site_icon_is_served_at_the_root_and_linked_from_every_page(app, world):
    client = app.test_client()
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        icon = response.data
    assert icon[:4] == b"\x00\x00\x01\x00", "an ICO file"
    page = client.get("/login").get_data(as_text=True)
    linked = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert linked
    with client.get(linked.group(1)) as response:
        assert response.data == icon


def test_a_steps_guidance_heads_the_assign_page_and_the_clients_step(app, world):
    from practice.models import Program

    with app.app_context():
        program = session.scalar(select(Program))
        first = program.steps[0]
        guidance = first.guidance.split(".")[0]
    alice = Browser(app).login(world.alice)
    page = alice.text(f"/couples/{world.couple_id}/assign")
    assert guidance in page
    (assignment_id,) = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    riley = Browser(app).login(world.recovering)
    page = riley.text(f"/my/assignments/{assignment_id}")
    assert guidance in page
    assert page.index(guidance) < page.index('class="instructions"'), "above the exercise"
    assert guidance in riley.text("/my/"), "under the step open now"


def test_set_step_offers_the_open_steps_and_refuses_one_not_open_yet(app, world):
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}"
    page = alice.text(url)
    select = re.search(r'<select id="step" name="step">(.*?)</select>', page, re.S)
    assert select and re.findall(r'value="(\d+)"', select.group(1)) == ["1"], "step 1 only"
    assert "Open step 2 early" in page
    response = alice.post(f"{url}/step", {"step": "3"}, form_url=url)
    assert response.status_code == 302
    page = alice.text(url)
    assert "Step 3 is not open to the couple yet: open it early first" in page
    with app.app_context():
        assert session.get(Couple, world.couple_id).current_step == 1


def test_a_role_left_on_its_placeholder_is_asked_for_beside_the_field(app, world):
    alice = Browser(app).login(world.alice)
    page = alice.text("/couples/new")
    assert re.search(r'<select id="first_role"[^>]*><option value="">Choose a role</option>', page)
    typed = {**NEW_COUPLE, "first_email": "sam@example.org", "second_email": "jo@example.org"}
    response = alice.post("/couples/new", {**typed, "first_role": ""})
    page = response.get_data(as_text=True)
    assert '<p class="error" id="first_role-error">Choose the partner&#39;s role.</p>' in page
    assert 'value="sam@example.org"' in page


def test_assigning_what_is_already_open_asks_first_and_keeps_the_choices(app, world):
    """Re-assigning "Hearing and being heard" used to give no warning: the page marks what
    is open, a second copy is refused with a message beside the exercises until the
    practitioner ticks "Assign again", and nothing is assigned meanwhile."""
    from practice.models import Assignment, Exercise
    from tests.helpers.pages import Page, assert_refused

    assign_exercises(app, world.couple_id, "finding-the-right-amount")
    with app.app_context():
        again, fresh = (
            session.scalar(select(Exercise.id).where(Exercise.slug == slug))
            for slug in ("finding-the-right-amount", "weekly-openness-log")
        )

        def count() -> int:
            return session.scalar(
                select(func.count(Assignment.id)).where(Assignment.couple_id == world.couple_id)
            )

        before = count()
        session.remove()
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/assign"
    assert alice.text(url).count('<span class="badge">Already open</span>') == 1
    data = {"exercises": [again, fresh], "audience": "as-written", "repeat": "once"}
    page = Page(alice.post(url, data | {"note": "Kept words"}))
    assert_refused(
        page,
        "exercises",
        "“Finding the right amount” is already open for Riley & Harper. Tick “Assign again "
        "what is already open” to give it a second time, or leave it out.",
    )
    assert page.checked("exercises") == {str(again), str(fresh)}
    assert page.value("note") == "Kept words"
    with app.app_context():
        assert count() == before
        session.remove()
    done = alice.post(url, data | {"assign_again": "y"})
    assert done.status_code == 302
    with app.app_context():
        assert count() == before + 2
