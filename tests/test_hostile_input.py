"""Hostile text typed into every form, then every page and PDF that shows it.

A corpus of strings that break naive apps (script tags, attribute breakers, template
syntax, NUL bytes, 100 KB strings, mixed-direction Unicode, SQL and CSV tricks) goes
into every text box of every form that each kind of person can reach, found by walking
the site when the tests are collected, not by a list: one test item per form and person,
so the items spread over the workers. Then every page and download is walked again as
every person.
Nothing may answer 500, no page may carry the markup unescaped, no template may run it,
and a string too long to keep is refused with a message, never silently cut.
"""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import session
from practice.models import AuditEntry
from tests.helpers.crawl import crawl, forms_of_the_populated_world, forms_on, submission
from tests.helpers.people import PASSWORD, Browser

# (typed text, fragments that must never appear in any HTML answer)
CORPUS = [
    ('<script>alert("h4x01")</script>', ['<script>alert("h4x01")']),
    ('"><img src=x onerror=alert(2) data-h4x02>', ["<img src=x onerror"]),
    ("' autofocus onfocus='alert(3)' data-h4x03='", ["' autofocus onfocus='"]),
    ("</textarea><b>h4x04</b><textarea>", ["<b>h4x04</b>"]),
    ("{{ 7*7 }}h4x05 {{ config }}", ["49h4x05", "SECRET_KEY"]),
    ("{% for x in range(3) %}h4x06{% endfor %}", ["h4x06h4x06"]),
    ("h4x07 before\x00after NUL", ["\x00"]),
    ("h4x08 " + "A" * 100_000, []),
    ("\u202eh4x09 evil\u202c שלום مرحبا 我们 mixed", []),
    ("h4x10'); DROP TABLE practice_users; --", []),
    ('=HYPERLINK("http://evil.example")h4x11', []),
    ("h4x12 👩\u200d❤️\u200d👨 🌊 family", []),
    ("javascript:alert(13)//h4x13", ['href="javascript:']),
    ("h4x14\r\nSet-Cookie: injected=1", []),
    ("h4x15" + "W" * 6_000, []),
    ("<!-- h4x16 --><style>body{display:none}</style>", ["<style>body{display:none}"]),
]
# Into dates, e-mails, numbers and passwords too: the strings that could break a parser.
EVERYWHERE = [CORPUS[i] for i in (0, 1, 4, 6, 7, 8)]
PEOPLE = ("owner", "alice", "riley", "harper")


FORMS = [found for found in forms_of_the_populated_world(PEOPLE) if found.has_text]


def _refused_with_message(html: str) -> bool:
    return 'class="error"' in html or 'role="alert"' in html


def _check_html(where: str, html: str, problems: list[str]) -> None:
    for _typed, forbidden in CORPUS:
        for fragment in forbidden:
            if fragment in html:
                problems.append(f"{where}: carries {fragment!r} unescaped")


def _signed_in(app, ids, person) -> Browser:
    who = Browser(app)
    who.login(ids["emails"][person])
    return who


def _fill(app, ids, found, problems, everywhere: bool) -> tuple[int, int]:
    """Type each corpus string into the form; count the posts and the ones kept."""
    who = _signed_in(app, ids, found.person)
    posts = kept = 0
    for typed, _forbidden in CORPUS if not everywhere else EVERYWHERE:
        # Each time as a browser would: the form as the page shows it now.
        current = forms_on(who.client, found.page, found.action)
        if not current:
            break
        form = current[0]
        data = submission(form, typed, everywhere=everywhere, password=PASSWORD)
        response = who.client.post(form.action, data=data)
        posts += 1
        where = f"{found.person} POST {form.action} ({typed[:20]!r})"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
            continue
        kept += response.status_code == 302
        html = response.get_data(as_text=True)
        _check_html(where, html, problems)
        # Every box has a limit well under 100 KB: refused, with a message on the page.
        refused = response.status_code == 200 and _refused_with_message(html)
        if len(typed) > 50_000 and not refused:
            problems.append(f"{where}: 100 KB not refused with a message")
        if not who.client.get("/").status_code < 400:
            who = _signed_in(app, ids, found.person)
    return posts, kept


def test_the_walk_finds_every_persons_forms():
    by_person = {person: [f.id for f in FORMS if f.person == person] for person in PEOPLE}
    assert all(by_person.values()), by_person
    assert len(FORMS) >= 20, by_person


@pytest.mark.parametrize("found", FORMS, ids=[found.id for found in FORMS])
def test_hostile_text_in_a_form_is_refused_or_kept_and_always_shown_escaped(app, populated, found):
    # Every person here signs in from one address and mistypes passwords on purpose;
    # throttling has its own tests (test_throttling.py).
    app.config.update(PRACTICE_LOGIN_LIMIT_ACCOUNT=10_000, PRACTICE_LOGIN_LIMIT_ADDRESS=10_000)
    ids = populated
    problems: list[str] = []
    posts, _ = _fill(app, ids, found, problems, everywhere=False)
    more, _ = _fill(app, ids, found, problems, everywhere=True)
    assert posts + more, f"{found.page} no longer shows the form posting to {found.action}"
    # The audit log says that something happened, never what anyone typed.
    problems += [f"the audit log keeps typed text: {detail[:60]!r}" for detail in _audited(app)]

    # Then every page and download as everyone, on SQLite; on PostgreSQL, whose part is
    # keeping (or refusing) what was typed, as the one who typed it: their own pages read
    # back what PostgreSQL kept, and how pages show text does not depend on the database.
    everyone = PEOPLE + ("quinn",)
    postgres = _engine_name(app) == "postgresql"
    pages = pdfs = 0
    for person in (found.person,) if postgres else everyone:
        visit = crawl(_signed_in(app, ids, person).client)
        for path, response in visit.pages.items():
            if response.mimetype == "application/pdf":
                pdfs += 1
                # Pages whose first one draws text (reading the text back costs 50 ms a PDF;
                # what the PDFs say is the subject of test_pdf_render and test_sessions).
                reader = PdfReader(io.BytesIO(response.data))
                if not reader.pages or b" Tj" not in reader.pages[0].get_contents().get_data():
                    problems.append(f"{person} {path}: empty PDF")
            elif response.mimetype == "text/html":
                pages += 1
                _check_html(f"{person} GET {path}", response.get_data(as_text=True), problems)
    assert pages > (5 if postgres else 30) and (postgres or pdfs >= 3), (pages, pdfs)
    assert not problems, "\n".join(sorted(set(problems)))


def _audited(app) -> list[str]:
    """Audit details carrying any of the corpus's marked strings."""
    with app.app_context():
        found = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.detail.contains("h4x"))
        ).all()
        session.remove()
    return found


def _engine_name(app) -> str:
    with app.app_context():
        return app.extensions["practice"].db.engine.dialect.name


def test_typed_text_that_was_kept_is_shown_back_escaped(app, populated):
    """A draft saved with a hostile string reads back to its author as typed, escaped."""
    ids = populated
    riley = _signed_in(app, ids, "riley")
    (found,) = [f for f in FORMS if f.person == "riley" and "/my/assignments/" in f.action]
    for typed, shown in [
        (CORPUS[11][0], CORPUS[11][0]),
        (CORPUS[0][0], "&lt;script&gt;alert(&#34;h4x01&#34;)&lt;/script&gt;"),
    ]:
        (form,) = forms_on(riley.client, found.page, found.action)
        response = riley.client.post(form.action, data=submission(form, typed))
        assert response.status_code == 302, response.get_data(as_text=True)
        assert shown in riley.text(found.page)
