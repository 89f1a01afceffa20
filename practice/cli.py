"""Practice's command-line commands: `flask --app practice demo`, `... program load FILE`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from practice.db import commit
from practice.programs.loader import ProgramFileError, load_program, read_program_file


@click.group("program", help="Programs of steps and exercises.")
def program_group():
    pass


@program_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_program_command(path: Path):
    """Load (or update) a program from a TOML file. Running it twice changes nothing."""
    try:
        spec = read_program_file(path)
    except ProgramFileError as error:
        lines = "\n".join(f"  - {problem}" for problem in error.problems)
        raise click.ClickException(f"{error.source} was not loaded:\n{lines}") from None
    program, outcome = load_program(spec)
    commit()
    steps = len(spec.steps)
    exercises = sum(len(step.exercises) for step in spec.steps)
    click.echo(f"{program.name} ({program.slug}): {outcome}; {steps} steps, {exercises} exercises.")


@click.command("upgrade-db")
@with_appcontext
def upgrade_db_command():
    """Apply Practice's database migrations and load the founding program."""
    from practice.setup import prepare_database

    prepare_database()
    click.echo("Practice's database is up to date.")


@click.command("demo")
@with_appcontext
def demo_command():
    """Fill the database with a small demo practice and print how to sign in."""
    from practice.demo import make_demo

    logins, created = make_demo()
    commit()
    if created:
        click.echo("Demo practice ready. Sign in at http://127.0.0.1:5000/ with:")
    else:
        click.echo("The demo practice was already here; its accounts have new passwords:")
    role_width = max(len(role) for role, _, _ in logins)
    email_width = max(len(email) for _, email, _ in logins)
    for role, email, password in logins:
        click.echo(f"  {role.ljust(role_width)}  {email.ljust(email_width)}  {password}")


@click.command("export-record")
@click.argument("couple_id", type=int)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
@with_appcontext
def export_record_command(couple_id: int, out: Path):
    """Write a couple's whole record (every signed session, with addenda) as one PDF."""
    from practice.db import session
    from practice.models import Couple
    from practice.pdf.record import build_record_pdf
    from practice.services.accounts import practice_profile
    from practice.services.sessions import signed_sessions
    from practice.sessions.documents import record_pdf

    couple = session.get(Couple, couple_id)
    if couple is None:
        raise click.ClickException(f"There is no couple with id {couple_id}.")
    if not out.parent.is_dir():
        raise click.ClickException(f"The folder {out.parent} does not exist.")
    profile = practice_profile()
    notes = signed_sessions(couple)
    content = build_record_pdf(record_pdf(couple, notes, profile.name if profile else "Practice"))
    out.write_bytes(content)
    click.echo(f"Wrote {out}: {couple.name}, {len(notes)} signed sessions, {len(content):,} bytes.")


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Count who would get a reminder; send nothing.")
@with_appcontext
def send_reminders_command(dry_run: bool):
    """E-mail each client with something due today (or overdue): one short, discreet
    e-mail a day at most, never twice for the same thing. Safe to run as often as you like."""
    import smtplib

    from sqlalchemy.exc import IntegrityError

    from practice import mail
    from practice.db import session
    from practice.services import PracticeError, audit, reminders

    try:
        home, settings = reminders.links()
        if not dry_run and not mail.enabled():
            raise PracticeError("Mail is off: set PRACTICE_MAIL_SERVER to send reminders.")
    except PracticeError as error:
        raise click.ClickException(error.message) from None
    due = reminders.due_reminders()
    if dry_run:
        session.rollback()
        click.echo(f"{_people(len(due))} would get a reminder; nothing was sent.")
        return
    sent = failed = 0
    for person in due:
        try:
            reminders.record(person)
            audit.record("reminder.sent", subject="user", subject_id=person.user_id)
        except IntegrityError:
            session.rollback()  # another run reminded this person a moment ago
            continue
        try:
            reminders.send(person, home, settings)
        except (smtplib.SMTPException, OSError):
            session.rollback()  # nothing recorded: the next run tries again
            failed += 1
            continue
        commit()
        sent += 1
    click.echo(
        f"{sent} reminder{'s' if sent != 1 else ''} sent to {_people(sent)}; {failed} failed."
    )
    if failed:
        raise SystemExit(1)


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


COMMANDS = [
    program_group,
    upgrade_db_command,
    demo_command,
    export_record_command,
    send_reminders_command,
]
