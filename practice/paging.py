"""One way to show a long list a page at a time: every paged list in Practice uses it.

``page_number`` reads the page a link asks for (``?page=``); ``paginate`` counts a
select's rows, clamps that number into 1..pages (a stale link past the end shows the last
page, not an empty one) and fetches that page. Templates show it with the ``pager`` macro in
``templates/macros.html``.
"""

from dataclasses import dataclass, field

from flask import abort, request
from sqlalchemy import Select, func, select

from practice.access import in_range
from practice.db import session


def page_number() -> int:
    """The page ``?page=`` asks for: 1 when it is missing or not a whole number; 404 for a
    number too large to be any list's page (the same bound as a record's id)."""
    page = request.args.get("page", 1, type=int)
    if not in_range(abs(page)):
        abort(404)
    return max(page, 1)


@dataclass
class Page:
    """One page of a list: its items and where it sits among the others."""

    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        """How many pages the list has; one, empty, when it has no items."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def paginate(
    query: Select,
    page: int,
    per_page: int,
    *,
    count: Select | None = None,
    scalars: bool = True,
) -> Page:
    """The page-th page (from 1) of query's rows, per_page a page; always two queries, so
    a page costs the same whether the list is empty or long.

    count: a cheaper select of the same number of rows (e.g. without the ordering joins);
    by default the rows of query are counted as they are. scalars: items are the first
    column of each row (ORM objects), else whole rows.
    """
    per_page = max(1, per_page)
    if count is None:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    total = session.scalar(count) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    paged = query.limit(per_page).offset((page - 1) * per_page)
    result = session.scalars(paged) if scalars else session.execute(paged)
    return Page(list(result.all()), total, page, per_page)
