"""Practice's command-line commands: `flask --app practice demo`, `... program load FILE`,
`... program export SLUG`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from practice.db import commit, session
from practice.measures.cli import measure_group
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


@program_group.command("export")
@click.argument("slug")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the file here (default: print it).",
)
@with_appcontext
def export_program_command(slug: str, out: Path | None):
    """Write a stored program as a program file that `program load` reads back."""
    from practice.programs.export import program_for_export, program_text

    program = program_for_export(slug)
    if program is None:
        raise click.ClickException(f"There is no program '{slug}'.")
    text = program_text(program)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"{out} could not be written: {error}") from None
    click.echo(f"{program.name} ({program.slug}) written to {out}.")


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
@click.option(
    "--kind",
    type=click.Choice(["chart", "release"]),
    default=None,
    help="chart: the clinical record, both partners' words (the default). release: the copy "
    "released to one partner (needs --for-partner).",
)
@click.option(
    "--for-partner",
    "partner_id",
    type=int,
    default=None,
    metavar="ID",
    help="Make the release copy for this partner of the couple (their partner id).",
)
@with_appcontext
def export_record_command(couple_id: int, out: Path, kind: str | None, partner_id: int | None):
    """Write a couple's whole record (every signed session, with addenda) as one PDF: the
    clinical chart, or the release copy for one partner. Times are in the practice's zone;
    the export is recorded in the audit log."""
    from flask import current_app

    from practice.downloads import record_pdf
    from practice.models import Couple
    from practice.services import audit, clock
    from practice.services.accounts import practice_profile

    kind = kind or ("release" if partner_id is not None else "chart")
    if kind == "chart" and partner_id is not None:
        raise click.UsageError("--for-partner makes a release copy: leave out --kind chart.")
    if kind == "release" and partner_id is None:
        raise click.UsageError("A release copy is made for one partner: add --for-partner ID.")
    couple = session.get(Couple, couple_id)
    if couple is None:
        raise click.ClickException(f"There is no couple with id {couple_id}.")
    partner = None
    if partner_id is not None:
        partner = next((p for p in couple.partners if p.id == partner_id), None)
        if partner is None:
            known = ", ".join(f"{p.id} ({p.name})" for p in couple.partners) or "none"
            raise click.ClickException(
                f"Partner {partner_id} is not a partner of {couple.name}; its partners: {known}."
            )
    if not out.parent.is_dir():
        raise click.ClickException(f"The folder {out.parent} does not exist.")
    profile = practice_profile()
    where = clock.zone(current_app.config["PRACTICE_TIMEZONE"])
    content, sessions = record_pdf(couple, profile.name if profile else "Practice", where, partner)
    out.write_bytes(content)
    audit.record(
        "record.released" if partner else "record.exported",
        subject="couple",
        subject_id=couple.id,
        detail=f"partner_id {partner.id}, command line" if partner else "command line",
    )
    commit()
    what = f"release copy for {partner.name}" if partner else "clinical chart"
    click.echo(
        f"Wrote {out}: {couple.name}, {what}, {sessions} signed sessions, {len(content):,} bytes."
    )


@click.command("rotate-key")
@click.option(
    "--new-key",
    "given_key",
    metavar="KEY",
    help="Use this key as the new one (with PRACTICE_ENCRYPTION_KEYS: the first key set there).",
)
@click.option(
    "--drop-old",
    is_flag=True,
    help="Then forget the old keys, once every value is checked to read with the new key alone.",
)
@with_appcontext
def rotate_key_command(given_key: str | None, drop_old: bool):
    """Make a new encryption key current and re-encrypt everything with it."""
    from practice.encryption import keys as keyfile
    from practice.encryption.rotation import reencrypt_all, unreadable_with
    from practice.services import audit
    from practice.services.errors import PracticeError

    keyring = keyfile.keyring()
    try:
        new = keyfile.parse_keys(given_key, source="--new-key")[0] if given_key else None
    except keyfile.EncryptionKeyError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from None
    if given_key and len(keyfile.parse_keys(given_key, source="--new-key")) != 1:
        raise click.ClickException("--new-key takes one key. Nothing was changed.")

    if keyring.from_config:
        if new is None:
            new = keyfile.new_key()
            value = ",".join(k.decode() for k in [new, *keyring.keys])
            click.echo(
                "Your keys come from PRACTICE_ENCRYPTION_KEYS, so Practice cannot change them "
                "itself. Nothing was changed yet. To rotate:\n"
                f"  1. Set PRACTICE_ENCRYPTION_KEYS={value}\n"
                "     everywhere the app runs, and restart it.\n"
                f"  2. Run: flask --app practice rotate-key --new-key {new.decode()}"
            )
            return
        if new != keyring.current:
            raise click.ClickException(
                "That key must be the first one in PRACTICE_ENCRYPTION_KEYS before anything is "
                "re-encrypted with it, or the running app could not read what is rewritten. "
                "Nothing was changed."
            )
        keys = keyring.keys
    else:
        new = new or keyfile.new_key()
        keys = [new, *(k for k in keyring.keys if k != new)]

    try:
        counts = reencrypt_all(keys)
        if not keyring.from_config:
            # The file before the commit: the moment the new tokens are visible, every
            # worker finds the key that reads them, and the old keys stay for the rest.
            keyfile.write_keys_file(keyring.path, keys)
            keyring.reload()
        # From the command line: there is no signed-in user.
        audit.record("encryption.key_rotated", detail=f"{sum(counts.values())} rows")
        commit()
    except PracticeError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    total = sum(counts.values())
    click.echo(f"Re-encrypted {total} rows with the new key:")
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")
    if keyring.from_config:
        click.echo("The new key is current; the old keys in PRACTICE_ENCRYPTION_KEYS still read.")
    else:
        click.echo(f"The new key is current in {keyring.path}; the old keys are kept there too.")
    if not drop_old:
        return

    problems = unreadable_with(new)
    if problems:
        raise click.ClickException(
            "Some values still need an old key, so the old keys were kept: " + ", ".join(problems)
        )
    if keyring.from_config:
        click.echo(
            "Every value reads with the new key alone. You can now set "
            f"PRACTICE_ENCRYPTION_KEYS={new.decode()}"
        )
        return
    keyfile.write_keys_file(keyring.path, [new])
    keyring.reload()
    audit.record("encryption.old_keys_dropped")
    commit()
    click.echo(f"Every value reads with the new key alone; old keys removed from {keyring.path}.")


@click.command("backup")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The file to write the copy to.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@with_appcontext
def backup_command(out: Path, force: bool):
    """Copy the embedded SQLite database safely while the app runs."""
    from flask import current_app

    from practice.backup import BackupError, backup_sqlite
    from practice.encryption import keyring
    from practice.services import audit

    engine = current_app.extensions["practice"].db.engine
    try:
        result = backup_sqlite(engine, out, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    audit.record("database.backed_up", detail=str(result.path))
    commit()
    click.echo(f"Backed up to {result.path} ({result.size:,} bytes, integrity check: ok).")
    ring = keyring()
    where = "PRACTICE_ENCRYPTION_KEYS" if ring.from_config else str(ring.path)
    click.echo(
        "What clients and practitioners wrote is encrypted in it: the backup is useless "
        f"without the keys in {where}. Keep a copy of them safe, apart from the backup."
    )


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Count who would get a reminder; send nothing.")
@with_appcontext
def send_reminders_command(dry_run: bool):
    """E-mail each client with something due today (or overdue): one short, discreet
    e-mail a day at most, never twice for the same thing. Safe to run as often as you like.
    The reminders go through the outbox, which this then sends (like `send-mail`)."""
    from sqlalchemy.exc import IntegrityError

    from practice import mail
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
    queued = 0
    for person in due:
        try:
            # The record and the mail commit together: a reminder is queued exactly once.
            reminders.record(person)
            reminders.queue(person, home, settings)
            audit.record("reminder.sent", subject="user", subject_id=person.user_id)
            commit()
        except IntegrityError:
            session.rollback()  # another run reminded this person a moment ago
            continue
        queued += 1
    click.echo(f"{queued} reminder{'s' if queued != 1 else ''} for {_people(queued)} queued.")
    _queue_alerts(dry_run=False)
    _deliver()


@click.command("alerts")
@click.option("--dry-run", is_flag=True, help="Count who would get an alert; send nothing.")
@with_appcontext
def alerts_command(dry_run: bool):
    """E-mail each practitioner, in neutral words, when something needs their attention
    (risk words, a risk answer, a safety screen that asks for care, a reported slip): each
    event once, however often this runs, and on several servers at once. `send-reminders`
    does this too; run either from cron every few minutes for a same-day alert."""
    _queue_alerts(dry_run=dry_run)
    if not dry_run:
        _deliver()


def _queue_alerts(*, dry_run: bool) -> None:
    from practice import mail
    from practice.services import PracticeError, alerts, audit

    try:
        link = alerts.link()
        if not dry_run and not mail.enabled():
            raise PracticeError("Mail is off: set PRACTICE_MAIL_SERVER to send alerts.")
    except PracticeError as error:
        raise click.ClickException(error.message) from None
    due = alerts.due_alerts()
    if dry_run:
        session.rollback()
        events = sum(len(d.event_ids) for d in due)
        click.echo(
            f"{_people(len(due))} would get an alert ({events} event{'s' if events != 1 else ''});"
            " nothing was sent."
        )
        return
    queued = 0
    for practitioner in due:
        # The claim and the mail commit together: each event is e-mailed exactly once.
        if not alerts.claim(practitioner):
            session.rollback()  # another run sent these a moment ago
            continue
        alerts.queue(practitioner, link)
        audit.record("alert.sent", subject="user", subject_id=practitioner.user_id)
        commit()
        queued += 1
    click.echo(f"{queued} alert{'s' if queued != 1 else ''} for {_people(queued)} queued.")


@click.command("send-mail")
@with_appcontext
def send_mail_command():
    """Send the e-mail waiting in the outbox (reset and invitation links, reminders).

    The app sends it too, from a thread, right after each request that queues mail; run
    this from cron every few minutes as well, so that mail a stopped worker left behind, or
    a retry that falls due, goes out. Safe on several servers at once: each mail is claimed
    by one sender. Records of mail older than 30 days are removed."""
    from practice.mail import outbox

    removed = outbox.prune()
    _deliver()
    if removed:
        click.echo(
            f"Removed {removed} record{'s' if removed != 1 else ''} of mail over 30 days old."
        )


def _deliver() -> None:
    """Drain the outbox and say what happened; exit 1 when any mail failed this time."""
    from practice import mail
    from practice.mail import outbox

    try:
        delivery = mail.deliver_due()
    except mail.NotSent as why:
        raise click.ClickException(f"Nothing was sent: {why.reason}.") from None
    click.echo(
        f"E-mail: {delivery.sent} sent, {delivery.retrying} to try again later, "
        f"{len(delivery.given_up)} given up; {outbox.waiting()} waiting in the outbox."
    )
    for failed in delivery.given_up:
        click.echo(f"  given up: mail {failed.mail_id} ({failed.kind}): {failed.reason}")
    if delivery.retrying or delivery.given_up:
        raise SystemExit(1)


@click.command("seed-load")
@click.option("--practitioners", default=50, show_default=True, help="Practitioners to add.")
@click.option("--couples", default=10_000, show_default=True, help="Couples, shared unevenly.")
@click.option(
    "--reflections", default=500_000, show_default=True, help="Reflections, in every state."
)
@click.option(
    "--password",
    show_default="seeded-practice-not-for-real-clients",
    help="The one password of every seeded account.",
)
@click.option("--seed", "rng_seed", default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--yes-add-to-real-data",
    "add_to_real_data",
    is_flag=True,
    help="Add seeded couples even though the database holds real (non-seeded) accounts.",
)
@with_appcontext
def seed_load_command(practitioners, couples, reflections, password, rng_seed, add_to_real_data):
    """Fill the database with a synthetic practice at real size, for benchmarks."""
    import sys
    import time

    from practice.seeding import DEFAULT_PASSWORD, SeedError, prepare

    started = time.perf_counter()
    try:
        seeding = prepare(
            practitioners,
            couples,
            reflections,
            password=password or DEFAULT_PASSWORD,
            rng_seed=rng_seed,
            add_to_real_data=add_to_real_data,
        )
        with click.progressbar(length=couples, label="Seeding couples", file=sys.stderr) as bar:
            result = seeding.run(bar.update)
        commit()
    except SeedError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    except BaseException:
        session.rollback()
        raise
    seconds = time.perf_counter() - started
    for line in result.summary(seconds):
        click.echo(line)


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


COMMANDS = [
    program_group,
    measure_group,
    upgrade_db_command,
    demo_command,
    export_record_command,
    rotate_key_command,
    backup_command,
    send_reminders_command,
    alerts_command,
    send_mail_command,
    seed_load_command,
]
