from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired

from practice.forms import PracticeForm, options
from practice.models import Visibility


class PartForm(PracticeForm):
    """A partner writing their part; the length is the service's to judge."""

    text = TextAreaField("Your words")


class ReleaseForm(PracticeForm):
    comment = TextAreaField(
        "Your private note", description="Only you see this; neither partner ever does."
    )
    visibility = RadioField(
        "How their partner receives it",
        choices=options(
            [
                (Visibility.APP.value, "They read it in the app"),
                (
                    Visibility.SESSION.value,
                    "Only in session: the app never shows it to them",
                ),
            ]
        ),
        validate_choice=False,
    )


FEELINGS = [
    ("okay", "I'm okay"),
    ("unsettled", "Shaken, but I can manage"),
    ("struggling", "I'm struggling right now"),
]


class AfterReadingForm(PracticeForm):
    feeling = RadioField(
        "How are you now?",
        choices=options(FEELINGS),
        validators=[InputRequired("Choose the answer closest to how you feel.")],
    )
    note = TextAreaField(
        "Anything you want your practitioner to know (optional)",
        description="Only your practitioner reads this. Your partner never sees it.",
    )
