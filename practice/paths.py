"""Where Practice's files are: inside the package when installed, the repository otherwise."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _resolve(name: str) -> Path:
    # A wheel carries templates/ and migrations/ inside the package (pyproject maps them);
    # a source checkout keeps them at the repository's top level.
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = _resolve("templates")
MIGRATIONS_DIR = _resolve("migrations")
STATIC_DIR = PACKAGE_DIR / "static"
PROGRAMS_DIR = PACKAGE_DIR / "programs"
FOUNDING_PROGRAM = PROGRAMS_DIR / "rebuilding_trust.toml"
# Run from a source checkout (templates/ and migrations/ beside the package, an editable
# install included), not from an installed wheel: only then is instance/ beside the code.
SOURCE_CHECKOUT = MIGRATIONS_DIR.parent != PACKAGE_DIR
