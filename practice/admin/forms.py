from wtforms import TextAreaField
from wtforms.validators import Length

from practice.forms import EmailAddressField, NameField, NameStringField, PracticeForm


class PractitionerForm(PracticeForm):
    name = NameField()
    email = EmailAddressField()
    credentials = NameStringField(
        "Credentials (shown on session notes)",
        validators=[Length(max=120)],
        description="For example: LMFT, CSAT-S",
    )


class PolicyWordingForm(PracticeForm):
    """The practice's words for each confidentiality policy. Lengths are judged by the
    service, so the message names the count."""

    no_secrets = TextAreaField("No secrets")
    limited_secrets = TextAreaField("Limited secrets")
    secrets_kept = TextAreaField("Secrets kept")
