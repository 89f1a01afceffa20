from wtforms import TextAreaField

from practice.forms import PracticeForm, strip


class OpenEarlyForm(PracticeForm):
    reason = TextAreaField(
        "Why open it now?",
        filters=[strip],
        description="Kept with the couple's record, for you and any colleague who takes over.",
    )
