"""Plain data the PDF documents are made from: built from the database by the app,
rendered by the pdf package with no request and no database in sight."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PartnerLine:
    name: str
    role: str  # the program's label, e.g. "Partner in recovery"


@dataclass
class DiscussedReflection:
    author: str
    exercise: str
    submitted: str  # already formatted in the reader's time zone
    shared: bool  # False: marked "private to its author"
    answers: list[tuple[str, str]]  # (prompt, answer)
    ratings: list[tuple[str, int]]  # (question, 1-10)


@dataclass
class StepRow:
    position: int
    title: str
    states: list[str]  # one per partner, in the order of SessionPdf.partners
    current: bool = False


@dataclass
class RatingSeries:
    label: str  # e.g. "Trust"
    points: dict[str, list[tuple[datetime, int]]]  # partner name -> (when, 1-10), oldest first


@dataclass
class HomeworkItem:
    title: str
    for_whom: str  # "Both partners", "Partner in recovery", ...
    due: str  # formatted, or "" when no due date
    instructions: str = ""


@dataclass
class AddendumItem:
    signed_by: str
    signed_at: str
    text: str


@dataclass
class DisclosureLine:
    """Where one disclosure part stands; never its text."""

    position: int
    title: str
    author: str
    state: str  # "locked", "open", "draft", "submitted", "released in the app", ...
    when: str = ""  # submitted or released, formatted; "" when neither


@dataclass
class AgreementLine:
    """One partner's agreement to the couple's confidentiality policy, in the exact words."""

    partner: str
    policy: str  # "Limited secrets"
    agreed_at: str  # formatted
    text: str


@dataclass
class SessionPdf:
    practice_name: str
    practitioner: str  # "Sam Okafor"
    credentials: str  # "LMFT", may be ""
    couple: str
    partners: list[PartnerLine]
    when: str  # "Tue 17 Nov 2026, 17:00"
    duration_minutes: int
    kind: str  # "Joint session" or "Individual session with Alex"
    attendees: list[str]
    note_format: str  # "DAP", "SOAP", "BIRP" or "Free text"
    sections: list[tuple[str, str]]  # (heading, text) in the format's order
    step: str = ""  # "Step 5 of 7: Patience"
    reflections: list[DiscussedReflection] = field(default_factory=list)
    progress: list[StepRow] = field(default_factory=list)
    ratings: list[RatingSeries] = field(default_factory=list)
    homework: list[HomeworkItem] = field(default_factory=list)
    disclosure: list[DisclosureLine] = field(default_factory=list)
    addenda: list[AddendumItem] = field(default_factory=list)
    agreements: list[AgreementLine] = field(default_factory=list)
    signed_by: str | None = None  # None: a draft, marked DRAFT on every page
    signed_at: str | None = None
    created: datetime | None = None  # PDF creation date; the signing time for signed notes
    # Where the charts' time axis ends: the session's end, in the reader's zone (the
    # ratings' moments are in that zone too). None: at the last rating.
    charts_until: datetime | None = None
    # Measures' scores, one chart per scale (practice.measures.pdf draws them).
    measures: list[dict] = field(default_factory=list)


@dataclass
class FeedbackItem:
    exercise: str
    written: str
    text: str


@dataclass
class HelpLine:
    """One service the practice lists for a client in a hard moment."""

    name: str
    phone: str = ""
    text: str = ""
    web: str = ""
    hours: str = ""


@dataclass
class HelpNow:
    """Where to turn straight away, with the words that always go with it."""

    emergency: str
    not_watched: str
    country: str = ""
    lines: list[HelpLine] = field(default_factory=list)


@dataclass
class HandoutPdf:
    """What one partner takes home: homework and the feedback meant for them, nothing else."""

    practice_name: str
    practitioner: str
    partner: str
    couple: str
    session_when: str
    homework: list[HomeworkItem] = field(default_factory=list)
    feedback: list[FeedbackItem] = field(default_factory=list)
    own_reflections: list[DiscussedReflection] = field(default_factory=list)
    created: datetime | None = None
    guidance: list[tuple[str, str]] = field(default_factory=list)  # (step, its guidance)
    help_now: HelpNow | None = None


CHART = "chart"
RELEASE = "release"


@dataclass
class RecordPdf:
    """A couple's whole record: every signed session in order, each with its addenda. The
    clinical chart (kind CHART) holds everything; a release copy (kind RELEASE) is made for
    one partner (``for_partner``) and says what it leaves out (``left_out``)."""

    practice_name: str
    couple: str
    partners: list[PartnerLine]
    sessions: list[SessionPdf]
    exported: str  # when, formatted
    agreements: list[AgreementLine] = field(default_factory=list)
    created: datetime | None = None
    kind: str = CHART
    for_partner: str = ""
    left_out: list[str] = field(default_factory=list)  # sentences, for the cover
    ratings: list[RatingSeries] = field(default_factory=list)  # charted once, at the end
    charts_until: datetime | None = None
    # Measures' scores, one chart per scale (practice.measures.pdf draws them).
    measures: list[dict] = field(default_factory=list)
