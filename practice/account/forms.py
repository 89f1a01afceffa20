from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from practice.forms import ConfirmField, NewPasswordField, PracticeForm


class PasswordChangeForm(PracticeForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=1024)],
    )
    password = NewPasswordField("New password")
    confirm = ConfirmField("New password again")


class TimezoneForm(PracticeForm):
    timezone = StringField(
        "Your time zone",
        validators=[Length(max=64, message="A time zone's name is at most 64 characters.")],
        description="Every time is shown to you in it, on pages and in PDFs. Start typing a "
        "city or region (such as Europe/Berlin); leave it empty for the practice's.",
    )
