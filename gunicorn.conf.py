"""gunicorn settings for Practice: ``gunicorn -c gunicorn.conf.py 'practice.wsgi:app'``.

Every value here can be overridden on the command line (``-w 8``, ``-b 0.0.0.0:8000``)
or with GUNICORN_CMD_ARGS. Workers may start all at once: Practice migrates once, under a
lock, and makes its key files once (README, "Running in production").
"""

import multiprocessing
import os

# Behind a reverse proxy on the same machine; set PRACTICE_PROXIES to the number of proxies.
bind = os.environ.get("PRACTICE_BIND", "127.0.0.1:8000")
# Sync workers: each request is a short unit of work on the database.
workers = int(os.environ.get("PRACTICE_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# A worker is replaced now and then, so a slow leak never grows without end.
max_requests = 2000
max_requests_jitter = 200
# Practice logs one line per request itself (no query strings, no tokens): gunicorn's own
# access log would print the path as sent, tokens and all, so it stays off.
accesslog = None
errorlog = "-"
loglevel = "info"
# Practice's own lines carry the client's address only as the proxy gives it (ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (gunicornc) lives in one place per user: two servers on one
# machine would contend for it, and Practice needs none of it.
control_socket_disable = True
