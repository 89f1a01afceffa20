from wtforms import IntegerField, StringField
from wtforms.validators import Length, Optional, ValidationError

from practice.access import LARGEST_ID
from practice.forms import DayField, PracticeForm, strip


class CoupleNumberField(IntegerField):
    message = "Enter a couple's number, such as 12."

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.message) from None
        if self.data is not None and not (1 <= self.data <= LARGEST_ID):
            raise ValueError(self.message)


class AuditFilterForm(PracticeForm):
    """Filters for the audit log; sent by GET, so links to a filtered view can be shared."""

    class Meta:
        csrf = False

    person = StringField(
        "Person",
        filters=[strip],
        validators=[Optional(), Length(max=254, message="Use at most 254 characters.")],
        description="Part of a name, or a whole e-mail address.",
    )
    action = StringField(
        "Action",
        filters=[strip],
        validators=[Optional(), Length(max=60, message="Use at most 60 characters.")],
        description="For example couple.viewed, or session. for everything about sessions.",
    )
    couple = CoupleNumberField(
        "Couple number",
        validators=[Optional()],
    )
    since = DayField("From", validators=[Optional()])
    until = DayField("To", validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")

    @property
    def is_filtered(self) -> bool:
        return any(f.data for f in (self.person, self.action, self.couple, self.since, self.until))
