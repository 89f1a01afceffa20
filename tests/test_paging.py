"""One pager for every list: counts, clamps the page asked for, fetches that page."""

from sqlalchemy import func, select

from practice.db import session
from practice.models import User
from practice.paging import Page, paginate


def test_a_page_knows_where_it_sits():
    assert Page([], 0, 1, 10).pages == 1, "an empty list is one empty page"
    middle = Page(list(range(10)), 25, 2, 10)
    assert (middle.pages, middle.has_prev, middle.has_next) == (3, True, True)
    last = Page(list(range(5)), 25, 3, 10)
    assert (last.has_prev, last.has_next, len(last)) == (True, False, 5)


def test_paginate_clamps_the_page_number_and_fetches_that_page(app, world):
    with app.app_context():
        people = select(User).order_by(User.id)
        everyone = list(paginate(people, 1, 1000))
        assert len(everyone) == session.scalar(select(func.count(User.id))) > 2
        second = paginate(people, 2, 2)
        assert second.items == everyone[2:4] and second.total == len(everyone)
        past_the_end = paginate(people, 999, 2)
        assert past_the_end.page == past_the_end.pages and past_the_end.items
        assert paginate(people, -3, 2).items == everyone[:2]
