from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length

from practice.forms import (
    ConfirmField,
    EmailAddressField,
    NameField,
    NewPasswordField,
    PracticeForm,
)


class SetupForm(PracticeForm):
    practice_name = NameField("Practice name", "Name your practice.")
    name = NameField("Your name")
    email = EmailAddressField("Your e-mail")
    password = NewPasswordField()
    confirm = ConfirmField()


class LoginForm(PracticeForm):
    email = EmailField("E-mail", validators=[InputRequired("Enter your e-mail."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=1024)]
    )


class InvitationForm(PracticeForm):
    password = NewPasswordField("Choose a password")
    confirm = ConfirmField()


class ForgotPasswordForm(PracticeForm):
    email = EmailAddressField("Your e-mail")


class ResetPasswordForm(PracticeForm):
    password = NewPasswordField("New password")
    confirm = ConfirmField()


class AgreementInvitationForm(InvitationForm):
    """A partner's invitation: the couple's confidentiality policy is agreed with the password."""

    agree = BooleanField(
        "I have read this policy and agree to it",
        validators=[DataRequired("Tick the box to say you have read and agree to the policy.")],
    )
