"""The production entry point: ``gunicorn -c gunicorn.conf.py 'practice.wsgi:app'``.

One practice (settings from the environment and the instance folder, as for
``flask --app practice run``), or several under their own URL prefixes when
PRACTICE_PRACTICES is set (``practice.practices``). Any number of workers may import this
at once: migrations run once, under a lock, and the key files are made once, whole.
A setting that stops the start is printed as one line saying what to set, and the worker
exits with gunicorn's boot-error status, so gunicorn stops instead of restarting it.
"""

import json
import os
import sys

from practice.config import StartupError

# gunicorn's exit status for a worker that cannot boot: the master stops, no restart loop.
BOOT_ERROR = 3


def _make():
    from practice.app import create_app
    from practice.practices import SETTING, several

    configured = os.environ.get(SETTING)
    if not configured:
        return create_app()
    try:
        value = json.loads(configured)
    except json.JSONDecodeError:
        value = None
    return several(value)


try:
    app = _make()
except StartupError as error:
    print(f"Practice cannot start: {error}", file=sys.stderr, flush=True)
    raise SystemExit(BOOT_ERROR) from None
