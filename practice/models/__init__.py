"""Every Practice model, importable from one place."""

from practice.models.agreements import POLICY_LABELS, PolicyKind, PolicyWording
from practice.models.assignments import Assignment, AssignmentStatus, Repeat
from practice.models.audit import AuditEntry
from practice.models.base import Base, utcnow
from practice.models.checkins import Checkin, CheckinPlan, Frequency
from practice.models.couples import Couple, Partner
from practice.models.deployment import KeyCheck
from practice.models.disclosure import Disclosure, DisclosurePart, Visibility
from practice.models.drafts import PractitionerDraft
from practice.models.measures import Cadence, MeasureResponse, MeasureSchedule, MeasureVersion
from practice.models.outbox import MailState, OutboxMail
from practice.models.pacing import StepOpening
from practice.models.programs import BOTH, Exercise, Program, Step
from practice.models.reflections import (
    Feedback,
    Reflection,
    ReflectionStatus,
    ReleaseState,
    ReviewWaiting,
)
from practice.models.reminders import ReminderOptOut, ReminderSent
from practice.models.safety import AfterReading, AlertEvent, CrisisLine, SafetyScreen
from practice.models.sessions import (
    NOTE_FORMATS,
    Addendum,
    SessionKind,
    SessionNote,
    SignedNoteLocked,
    session_attendees,
    session_reflections,
)
from practice.models.sign_ins import SignIn
from practice.models.throttle import ThrottleEvent
from practice.models.two_factor import RecoveryCode, TwoFactor, TwoFactorAttempt
from practice.models.users import Invitation, PasswordReset, PracticeProfile, Role, User

__all__ = [
    "POLICY_LABELS",
    "PolicyKind",
    "PolicyWording",
    "SafetyScreen",
    "AfterReading",
    "AlertEvent",
    "CrisisLine",
    "NOTE_FORMATS",
    "Addendum",
    "SessionKind",
    "SignedNoteLocked",
    "BOTH",
    "Assignment",
    "AuditEntry",
    "AssignmentStatus",
    "Base",
    "Checkin",
    "CheckinPlan",
    "Frequency",
    "ReminderOptOut",
    "ReminderSent",
    "Couple",
    "Disclosure",
    "DisclosurePart",
    "Exercise",
    "Feedback",
    "Invitation",
    "KeyCheck",
    "Cadence",
    "MeasureResponse",
    "MeasureSchedule",
    "MeasureVersion",
    "MailState",
    "OutboxMail",
    "Partner",
    "PractitionerDraft",
    "PasswordReset",
    "PracticeProfile",
    "Program",
    "RecoveryCode",
    "Reflection",
    "ReviewWaiting",
    "ReflectionStatus",
    "ReleaseState",
    "Repeat",
    "Role",
    "SessionNote",
    "SignIn",
    "Step",
    "ThrottleEvent",
    "StepOpening",
    "TwoFactor",
    "TwoFactorAttempt",
    "User",
    "session_attendees",
    "session_reflections",
    "utcnow",
    "Visibility",
]
