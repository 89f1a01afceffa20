"""A practitioner's unsaved drafts (``PractitionerDraft``): kept while they write, read back
only by their author (``privacy.drafts_readable_by``), ended when the work is saved."""

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from practice import privacy
from practice.db import session
from practice.models import PractitionerDraft, User, utcnow


def draft_for(author: User, key: str) -> PractitionerDraft | None:
    """The author's draft for ``key``, if they have one (nobody else's, ever)."""
    return session.scalar(
        select(PractitionerDraft).where(
            privacy.drafts_readable_by(author), PractitionerDraft.key == key
        )
    )


def keep(author: User, key: str, fields: dict, *, into=session) -> PractitionerDraft:
    """Keep ``fields`` as the author's draft for ``key``, over the one before; ``into`` is
    the session to write with (a kept transaction, when the request will not commit)."""
    mine = select(PractitionerDraft).where(
        PractitionerDraft.user_id == author.id, PractitionerDraft.key == key
    )
    draft = into.scalar(mine)
    if draft is None:
        try:
            # Two saves of a new draft at once (two tabs, a retry): the unique key lets one
            # make it, and the other writes over it.
            with into.begin_nested():
                draft = PractitionerDraft(user_id=author.id, key=key, fields={})
                into.add(draft)
        except IntegrityError:
            draft = into.scalar(mine)
    draft.fields = dict(fields)
    # Set, not left to onupdate: an unchanged draft saved again still says when.
    draft.updated_at = utcnow()
    into.flush()
    return draft


def end(author: User, key: str) -> None:
    """The work was saved (or the draft thrown away): its draft goes."""
    session.execute(
        delete(PractitionerDraft)
        .where(PractitionerDraft.user_id == author.id, PractitionerDraft.key == key)
        .execution_options(synchronize_session=False)
    )
