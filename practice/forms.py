"""Form pieces every feature uses."""

import re

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from practice.db import refuse
from practice.services.errors import PracticeError

DATE_MESSAGE = "Enter a date like 2026-11-23."
CSRF_MESSAGE = "This form expired or came from elsewhere. Your text is still here: send it again."
# Control characters nobody types on purpose; PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_control_characters(value):
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def strip(value):
    return value.strip() if isinstance(value, str) else value


class PracticeForm(FlaskForm):
    """A form that shows a domain error next to the field it concerns.

    Every submitted value but a password or a name drops control characters (tab and line
    breaks stay) before any field reads it, so no form stores text that a database or a PDF
    would choke on, and no refused date or number echoes a NUL back into the page. A name
    keeps them, so that its service refuses them with a message (practice.services.names).
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None:
                return None
            secret = {
                name
                for name, f in form._fields.items()
                if isinstance(f, PasswordField | NameStringField)
            }
            cleaned = MultiDict()
            for key, value in formdata.items(multi=True):
                keep = key in secret or not isinstance(value, str)
                cleaned.add(key, value if keep else drop_control_characters(value))
            return cleaned

    def validate(self, extra_validators=None) -> bool:
        # A refused form keeps nothing the request wrote (see practice.db).
        valid = super().validate(extra_validators)
        if not valid:
            refuse()
        return valid

    def add_error(self, error: PracticeError) -> None:
        refuse()
        field = self._fields.get(error.field) if error.field else None
        if field is None:
            self.form_errors.append(error.message)
        else:
            field.errors = [*field.errors, error.message]

    def page_errors(self) -> list[str]:
        """Errors not tied to a visible field: the form's own and an expired CSRF token."""
        errors = list(self.form_errors)
        if "csrf_token" in self.errors:
            errors.append(CSRF_MESSAGE)
        return errors


class NameStringField(StringField):
    """A one-line name: it reaches the service as typed, so a control character in it is
    refused with a message rather than dropped unseen; shown back without the invisible
    ones (a NUL never goes into the page)."""

    def _value(self):
        return drop_control_characters(super()._value())


def NameField(label="Name", message="Enter a name."):  # noqa: N802 - reads like a field class
    return NameStringField(
        label, filters=[strip], validators=[DataRequired(message), Length(max=120)]
    )


def EmailAddressField(label="E-mail"):  # noqa: N802
    return EmailField(
        label,
        validators=[
            InputRequired("Enter an e-mail address."),
            Length(max=254),
            Email("Enter an e-mail address like name@example.org."),
        ],
    )


def NewPasswordField(label="Password"):  # noqa: N802
    return PasswordField(
        label,
        validators=[
            InputRequired("Choose a password."),
            Length(
                min=10, max=1024, message="Use 10 to 1024 characters; a short sentence works well."
            ),
        ],
    )


def ConfirmField(label="Password again"):  # noqa: N802
    return PasswordField(
        label,
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", "The two passwords differ."),
        ],
    )


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; an empty choice is left for the service to judge."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, invalid_message="Choose from the list.", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(self.invalid_message)


class DayField(DateField):
    """A date whose bad input says how to write one (the audit log's and history's filters)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_MESSAGE) from None
