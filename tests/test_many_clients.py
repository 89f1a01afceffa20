"""Many clients saving drafts and submitting at once: nothing lost, nothing doubled.

The short version of the mix in bench/web_bench.py (40 clients for 60 s against gunicorn):
four clients, each with two tabs open on the same exercise, autosaving and then submitting
from both tabs at once, every request in a thread of its own through the whole app, on
the real database (SQLite, and PostgreSQL when configured).
"""

import threading

from sqlalchemy import select

from practice.db import session
from practice.models import Reflection, User
from tests.helpers.people import Browser, assign_exercises

FETCH = {"X-Requested-With": "fetch"}
SAVES = 6


def test_clients_saving_and_submitting_at_once_lose_and_double_nothing(app, world):
    (ours,) = assign_exercises(app, world.couple_id, "finding-the-right-amount", audience="both")
    (theirs,) = assign_exercises(
        app, world.other_couple_id, "finding-the-right-amount", audience="both"
    )
    people = {
        world.recovering: ours,
        world.hurt: ours,
        world.outsider: theirs,
        world.outsider_partner: theirs,
    }
    tabs = {email: [Browser(app).login(email) for _ in range(2)] for email in people}
    tokens = {
        email: [tab.token(f"/my/assignments/{people[email]}") for tab in pair]
        for email, pair in tabs.items()
    }
    start = threading.Barrier(len(people) * 2)
    statuses, first_submits, told_already = [], {}, []
    lock = threading.Lock()

    def client(email, tab_index):
        tab, token = tabs[email][tab_index], tokens[email][tab_index]
        url = f"/my/assignments/{people[email]}"
        start.wait()
        for n in range(SAVES):
            words = f"{email} tab {tab_index} draft {n}"
            data = {"csrf_token": token, "answer_0": words}
            answer = tab.client.post(url, data=data, headers=FETCH)
            with lock:
                statuses.append(answer.status_code)
        words = f"{email} tab {tab_index} submits"
        data = {"csrf_token": token, "answer_0": words, "action": "submit"}
        page = tab.client.post(url, data=data, follow_redirects=True)
        text = page.get_data(as_text=True)
        with lock:
            statuses.append(page.status_code)
            if "Submitted. Your practitioner" in text:
                first_submits.setdefault(email, []).append(words)
            elif "already submitted" in text.lower():
                told_already.append(email)

    threads = [
        threading.Thread(target=client, args=(email, index)) for email in people for index in (0, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    # Every request answered: drafts saved (200), or, once the other tab had submitted,
    # told so (409); never an error.
    assert statuses and all(code in (200, 409) for code in statuses), sorted(set(statuses))
    # Each client's two tabs: one submission stands, the other tab is told.
    assert {email: len(words) for email, words in first_submits.items()} == dict.fromkeys(people, 1)
    assert sorted(told_already) == sorted(people)
    with app.app_context():
        for email, assignment_id in people.items():
            author = session.scalar(select(User).where(User.email == email)).partner
            rows = session.scalars(
                select(Reflection).where(
                    Reflection.assignment_id == assignment_id, Reflection.author_id == author.id
                )
            ).all()
            assert len(rows) == 1, f"{email} has {len(rows)} reflections for one exercise"
            (reflection,) = rows
            assert reflection.is_submitted
            assert reflection.answers[0] == first_submits[email][0]
