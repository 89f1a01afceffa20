"""The wheel is self-sufficient: installed anywhere, Practice finds its templates,
migrations, static files and founding program, and serves a working first page."""

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout}\n{result.stderr}"
    wheels = list(out.glob("practice-*.whl"))
    assert len(wheels) == 1, f"expected one Practice wheel, got {wheels}"
    return wheels[0]


def test_wheel_carries_templates_migrations_static_and_programs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in [
        "practice/__init__.py",
        "practice/templates/base.html",
        "practice/templates/caseload/couple.html",
        "practice/migrations/env.py",
        "practice/migrations/script.py.mako",
        "practice/static/practice.css",
        "practice/programs/rebuilding_trust.toml",
        "practice/programs/rebuilding_trust_2.toml",
        "practice/programs/talking_and_listening.toml",
    ]:
        assert needed in names, f"{needed} is missing from {wheel.name}"

    in_repo = sorted(p.name for p in (REPO / "migrations" / "versions").glob("*.py"))
    in_wheel = sorted(
        n.rsplit("/", 1)[1]
        for n in names
        if n.startswith("practice/migrations/versions/") and n.endswith(".py")
    )
    assert in_repo, "the repository has no migrations to compare with"
    assert in_wheel == in_repo
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


INSTALLED_APP_SCRIPT = textwrap.dedent("""
    import json
    import sys
    from pathlib import Path

    site = Path(sys.argv[1]).resolve()

    import practice
    from practice import create_app, paths

    facts = {
        "practice_file": str(Path(practice.__file__).resolve()),
        "templates_dir": str(paths.TEMPLATES_DIR.resolve()),
        "migrations_dir": str(paths.MIGRATIONS_DIR.resolve()),
        "site": str(site),
    }
    app = create_app()
    app.config["TESTING"] = True
    client = app.test_client()

    root = client.get("/")
    facts["root"] = [root.status_code, root.headers.get("Location")]
    setup = client.get("/setup")
    facts["setup"] = [setup.status_code, "Set up your practice" in setup.get_data(as_text=True)]
    css = client.get("/assets/practice.css")
    facts["css"] = [css.status_code, css.mimetype, len(css.get_data())]
    css.close()

    from sqlalchemy import select

    from practice.db import session
    from practice.models import Program

    with app.app_context():
        facts["database"] = str(app.extensions["practice"].db.engine.url)
        facts["programs"] = {p.slug: len(p.steps) for p in session.scalars(select(Program))}
        session.remove()
        app.extensions["practice"].db.engine.dispose()
    print(json.dumps(facts))
""")


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed into a folder of its own, as into a virtual environment."""
    site = tmp_path_factory.mktemp("installed") / "site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"pip install failed:\n{result.stdout}\n{result.stderr}"
    return site


def _installed_environment(site: Path, **settings) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_", "PYTHON"))
    }
    env.update(PYTHONPATH=str(site), **settings)
    return env


def test_installed_wheel_serves_the_setup_page(installed, tmp_path):
    site = installed
    script = tmp_path / "check_installed.py"
    script.write_text(INSTALLED_APP_SCRIPT)
    instance = tmp_path / "instance"
    env = _installed_environment(site, PRACTICE_INSTANCE_PATH=str(instance))
    run = subprocess.run(
        [sys.executable, "-W", "error", str(script), str(site)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, f"the installed app failed:\n{run.stdout}\n{run.stderr}"
    facts = json.loads(run.stdout.strip().splitlines()[-1])

    site_path = Path(facts["site"])
    for key in ("practice_file", "templates_dir", "migrations_dir"):
        assert Path(facts[key]).is_relative_to(site_path), (
            f"{key} is {facts[key]}, not inside the installed copy {site_path}"
        )
    assert facts["database"] == f"sqlite:///{instance}/practice.sqlite3"
    assert (instance / "practice.sqlite3").is_file()
    assert (instance / "secret_key").is_file()

    status, location = facts["root"]
    assert status == 302 and location.endswith("/setup"), facts["root"]
    assert facts["setup"] == [200, True]
    status, mimetype, size = facts["css"]
    assert (status, mimetype) == (200, "text/css") and size > 0, facts["css"]
    assert facts["programs"] == {
        "rebuilding-trust": 7,
        "rebuilding-trust-2": 8,
        "talking-and-listening": 5,
    }


def test_installed_without_an_instance_folder_it_refuses_to_start_and_says_what_to_set(
    installed, tmp_path
):
    """Installed, a default folder would sit inside the virtual environment and be lost,
    database and keys, with the next rebuild of it: the server refuses to guess."""
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import practice.wsgi"],
        cwd=tmp_path,
        env=_installed_environment(installed),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 3, run.stderr  # gunicorn's "worker failed to boot": no retries
    assert "Practice cannot start" in run.stderr
    assert "Set PRACTICE_INSTANCE_PATH to a folder that outlives deploys" in run.stderr
    assert "PRACTICE_DATABASE_URL, PRACTICE_ENCRYPTION_KEYS and FLASK_SECRET_KEY" in run.stderr
    assert "Traceback" not in run.stderr
    assert not list(installed.parent.rglob("practice.sqlite3"))
    assert not list(installed.parent.rglob("secret_key"))

    # With everything from the environment it starts and keeps nothing on disk.
    env = _installed_environment(
        installed,
        PRACTICE_DATABASE_URL=f"sqlite:///{tmp_path / 'practice.sqlite3'}",
        PRACTICE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        FLASK_SECRET_KEY="from-the-environment",
        PRACTICE_AUTO_SETUP="true",
    )
    run = subprocess.run(
        [sys.executable, "-c", "import practice.wsgi; print(practice.wsgi.app.instance_path)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert not Path(run.stdout.strip().splitlines()[-1]).exists()
