from wtforms import StringField
from wtforms.validators import Length

from practice.forms import EmailAddressField, NameField, PracticeForm


class PractitionerForm(PracticeForm):
    name = NameField()
    email = EmailAddressField()
    credentials = StringField(
        "Credentials (shown on session notes)",
        validators=[Length(max=120)],
        description="For example: LMFT, CSAT-S",
    )
