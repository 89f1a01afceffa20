"""`flask --app practice measure load FILE` and `measure export SLUG`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from practice.db import commit
from practice.measures.spec import MeasureFileError, export_measure


@click.group("measure", help="Measures: questionnaires the partners answer over time.")
def measure_group():
    pass


def _refuse(error: MeasureFileError):
    lines = "\n".join(f"  - {problem}" for problem in error.problems)
    return click.ClickException(f"{error.source} was not loaded:\n{lines}")


@measure_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_command(path: Path):
    """Check a measure file and load it as a new version. Nothing is loaded when anything
    in the file is wrong; loading the same file twice changes nothing."""
    from practice.services import measures

    try:
        spec = measures.read_measure_file(path)
        version, outcome = measures.load_measure(spec, str(path))
    except MeasureFileError as error:
        raise _refuse(error) from None
    commit()
    scales = ", ".join(s["label"] for s in spec["scales"])
    note = "" if measures.is_validated(spec) else " Not a validated instrument."
    click.echo(
        f"{version.name} ({version.slug}, version {version.version}): {outcome}; "
        f"{len(spec['items'])} items; scales: {scales}.{note}"
    )


@measure_group.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="That version (the newest without it).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file (standard output without it).",
)
@with_appcontext
def export_command(slug: str, number: int | None, out: Path | None):
    """Write a loaded measure back as a file."""
    from practice.services import measures

    version = measures.version_of(slug, number)
    if version is None:
        which = f"version {number} of " if number else ""
        raise click.ClickException(f"There is no {which}measure '{slug}' loaded.")
    text = export_measure(version.spec)
    if out is None:
        click.echo(text, nl=False)
        return
    if not out.parent.is_dir():
        raise click.ClickException(f"The folder {out.parent} does not exist.")
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}: {version.name}, version {version.version}.")


@measure_group.command("list")
@with_appcontext
def list_command():
    """The loaded measures, each at its newest version."""
    from practice.services import measures

    for version in measures.newest_versions():
        note = "" if measures.is_validated(version.spec) else " (not a validated instrument)"
        click.echo(f"{version.slug}  version {version.version}  {version.name}{note}")
