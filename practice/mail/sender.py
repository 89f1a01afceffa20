"""The app's background sender: once a response that queued mail has gone to the browser,
a thread of this process drains the outbox, waits for retries that fall due, and stops
when nothing is left. Nothing is kept between requests but the thread itself; the outbox
is the database's, so any worker's sender (or `flask send-mail`) may send any mail.
"""

import os
import threading

from flask import Flask

from practice.mail import outbox
from practice.mail.links import NotSent
from practice.models import utcnow

# Never sleep longer than this between looks, nor spin faster than the shortest wait.
MAX_WAIT_SECONDS = 300.0
MIN_WAIT_SECONDS = 1.0
ERROR_WAIT_SECONDS = 60.0


class BackgroundSender:
    """One per app and process (kept in ``app.extensions["practice"]``)."""

    def __init__(self, app: Flask):
        self._app = app
        self._reset()

    def _reset(self) -> None:
        # A forked worker starts without the parent's thread and with a lock of its own.
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        if self._pid != os.getpid():
            self._reset()
        with self._lock:
            self._woken.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="practice-mail-sender", daemon=True
                )
                self._thread.start()

    def wait_until_idle(self, timeout: float) -> bool:
        """For tests and shutdown: wait for the thread to finish; whether it did."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _run(self) -> None:
        while True:
            self._woken.clear()
            wait = self._drain()
            if wait is None:
                with self._lock:
                    if not self._woken.is_set():
                        self._thread = None
                        return
                continue
            self._woken.wait(wait)

    def _drain(self) -> float | None:
        """Send what is due; seconds until the next retry, or None when nothing waits."""
        try:
            with self._app.app_context():
                outbox.deliver_due()
                later = outbox.next_attempt()
        except NotSent:
            return None  # mail was turned off since the mail was queued
        except Exception:  # a thread has nobody to raise to: log, and look again later
            self._app.logger.exception("Practice: the background mail sender failed")
            return ERROR_WAIT_SECONDS
        if later is None:
            return None
        seconds = (later - utcnow()).total_seconds()
        return min(max(seconds, MIN_WAIT_SECONDS), MAX_WAIT_SECONDS)


_creating = threading.Lock()


def sender_for(app: Flask) -> BackgroundSender:
    state = app.extensions["practice"]
    with _creating:
        if state.sender is None:
            state.sender = BackgroundSender(app)
    return state.sender
