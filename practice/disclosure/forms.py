from wtforms import RadioField, TextAreaField

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
