"""Every Practice model, importable from one place."""

from practice.models.assignments import Assignment, AssignmentStatus, Repeat
from practice.models.base import Base, utcnow
from practice.models.checkins import Checkin, CheckinPlan, Frequency
from practice.models.couples import Couple, Partner
from practice.models.programs import BOTH, Exercise, Program, Step
from practice.models.reflections import Feedback, Reflection, ReflectionStatus
from practice.models.reminders import ReminderOptOut, ReminderSent
from practice.models.sessions import (
    NOTE_FORMATS,
    Addendum,
    SessionKind,
    SessionNote,
    SignedNoteLocked,
    session_attendees,
    session_reflections,
)
from practice.models.users import Invitation, PracticeProfile, Role, User

__all__ = [
    "NOTE_FORMATS",
    "Addendum",
    "SessionKind",
    "SignedNoteLocked",
    "BOTH",
    "Assignment",
    "AssignmentStatus",
    "Base",
    "Checkin",
    "CheckinPlan",
    "Frequency",
    "ReminderOptOut",
    "ReminderSent",
    "Couple",
    "Exercise",
    "Feedback",
    "Invitation",
    "Partner",
    "PracticeProfile",
    "Program",
    "Reflection",
    "ReflectionStatus",
    "Repeat",
    "Role",
    "SessionNote",
    "Step",
    "User",
    "session_attendees",
    "session_reflections",
    "utcnow",
]
