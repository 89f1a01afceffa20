from datetime import UTC, datetime, time, timedelta

from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from practice.forms import DayField, PracticeForm, options, strip
from practice.services import history, search


class _GetForm(PracticeForm):
    """Sent by GET, so a filtered page is a link that can be kept or shared."""

    class Meta:
        csrf = False


class ChoiceField(SelectField):
    """A select whose unknown value (an old or edited link) says what to do."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose from the list.")


def _steps(steps: int, every: str):
    return options([("", every), *((str(n), f"Step {n}") for n in range(1, steps + 1))])


def number(text) -> int | None:
    """A whole number sent as text (an id or a step), or None."""
    return int(text) if text and str(text).isdigit() else None


class HistoryFilterForm(_GetForm):
    kind = ChoiceField("Kind")
    partner = ChoiceField("Partner")
    step = ChoiceField("Step")
    since = DayField("From", validators=[Optional()])
    until = DayField("To", validators=[Optional()])
    # Set by a link from the progress table: one exercise's reflections and their feedback.
    exercise = HiddenField()

    def __init__(self, couple, steps: int, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = options([("", "Everything"), *history.KINDS.items()])
        self.partner.choices = options(
            [("", "Both partners"), *((str(p.id), p.name) for p in couple.partners)]
        )
        self.step.choices = _steps(steps, "Every step")

    def validate_exercise(self, field):
        if field.data and number(field.data) is None:
            raise ValidationError("This link names no exercise; show everything instead.")

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")

    def filters(self, zone) -> history.Filters:
        """The filters, the days read in the reader's time zone (``zone``), "To" included."""

        def midnight(day):
            return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

        return history.Filters(
            kind=self.kind.data or None,
            partner_id=number(self.partner.data),
            step=number(self.step.data),
            exercise_id=number(self.exercise.data),
            since=midnight(self.since.data) if self.since.data else None,
            until=midnight(self.until.data + timedelta(days=1)) if self.until.data else None,
        )

    @property
    def is_filtered(self) -> bool:
        fields = (self.kind, self.partner, self.step, self.since, self.until, self.exercise)
        return any(f.data for f in fields)


class RecordSearchForm(_GetForm):
    q = StringField(
        "Words to find",
        filters=[strip],
        description="In reflections, feedback, check-ins, disclosure parts and session notes.",
    )
    kind = ChoiceField("Kind")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = options([("", "Everything"), *history.KINDS.items()])

    def validate_q(self, field):
        problem = history.check_term(field.data or "")
        if problem:
            raise ValidationError(problem)


class CaseloadSearchForm(_GetForm):
    q = StringField(
        "Name or e-mail",
        filters=[strip],
        validators=[Optional(), Length(max=254, message="Use at most 254 characters.")],
        description="Part of a client's name or e-mail address, or of a couple's name.",
    )
    status = ChoiceField("Status")
    step = ChoiceField("Step")

    def __init__(self, steps: int, **kwargs):
        super().__init__(**kwargs)
        self.status.choices = options([("", "Any status"), *search.STATUSES.items()])
        self.step.choices = _steps(steps, "Any step")

    def query(self) -> search.Query:
        return search.Query(
            text=self.q.data or "",
            status=self.status.data or None,
            step=number(self.step.data),
        )
