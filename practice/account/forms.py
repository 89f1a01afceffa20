from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from practice.forms import ConfirmField, NewPasswordField, PracticeForm


class PasswordChangeForm(PracticeForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=1024)],
    )
    password = NewPasswordField("New password")
    confirm = ConfirmField("New password again")
