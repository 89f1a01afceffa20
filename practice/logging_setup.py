"""One log line per request: method, path template, status and duration, nothing else.

Never the query string, form data or the path as sent (links carry tokens: an invitation's,
a reset's): the URL rule (``/couples/<int:couple_id>``) under the app's script root, or
``<unmatched>`` for a URL no rule has. Plain text, or one JSON object a line when
PRACTICE_LOG_JSON is on. Lines go to standard error (gunicorn's error log), through the
``practice.requests`` logger; start-up messages the same way through ``practice.startup``.
"""

import json
import logging
import sys
import time

from flask import Flask, g, request

REQUESTS = logging.getLogger("practice.requests")
# Practice's own lines: requests and start-up. Not the "practice" logger itself, which is
# the standalone app's Flask logger (app.logger) and keeps Flask's handling.
_OWN = (REQUESTS, logging.getLogger("practice.startup"))


class _Lines(logging.Formatter):
    def __init__(self, as_json: bool):
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "practice_request", None)
        if self.as_json:
            entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")}
            entry.update(fields or {"level": record.levelname, "message": record.getMessage()})
            return json.dumps(entry, separators=(",", ":"))
        when = self.formatTime(record, "%Y-%m-%d %H:%M:%S")
        if fields:
            line = "{method} {path} {status} {duration_ms}ms".format(**fields)
            return f"{when} practice request {line}"
        return f"{when} practice {record.levelname.lower()}: {record.getMessage()}"


class _StandardError(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test's capture, say)."""

    practice_own = True

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(as_json: bool) -> None:
    """Practice's own handler on its request and start-up loggers, once per process
    (several practices in one process share it; the first app's setting wins)."""
    for logger in _OWN:
        if any(getattr(h, "practice_own", False) for h in logger.handlers):
            continue
        handler = _StandardError()
        handler.setFormatter(_Lines(as_json))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def log_requests(app: Flask) -> None:
    """Log every request of ``app`` once it has its response (an error page's too)."""
    configure(bool(app.config.get("PRACTICE_LOG_JSON")))

    @app.before_request
    def start_the_clock():
        g.practice_started = time.perf_counter()

    @app.after_request
    def log_the_request(response):
        started = g.get("practice_started")
        duration = 0.0 if started is None else (time.perf_counter() - started) * 1000
        rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        fields = {
            "method": request.method,
            "path": request.script_root + rule,
            "status": response.status_code,
            "duration_ms": round(duration, 1),
        }
        REQUESTS.info("request", extra={"practice_request": fields})
        return response
