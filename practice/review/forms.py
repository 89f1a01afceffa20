from wtforms import BooleanField, TextAreaField

from practice.forms import PracticeForm


class FeedbackForm(PracticeForm):
    feedback = TextAreaField(
        "Feedback for the author", description="Only the person who wrote this reflection sees it."
    )
    mark_reviewed = BooleanField("Mark as reviewed", default=True)
    flag_for_session = BooleanField("Discuss in session")
