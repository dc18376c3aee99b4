"""Gunicorn settings for Tiến độ behind nginx (docs/deploy.md).

    .venv/bin/gunicorn -c docs/deploy/gunicorn.conf.py

Options given on the command line (or in GUNICORN_CMD_ARGS) win over these, e.g.
`--bind 127.0.0.1:8001 --workers 2`. The application's own settings come from the
environment as usual (README, "Configuration").
"""

import os
from pathlib import Path

# The project folder, so the command works from any directory (gunicorn also puts it on
# sys.path before importing the application).
chdir = str(Path(__file__).resolve().parents[2])
wsgi_app = "app:create_app()"
proc_name = "tiendo"

# Only nginx, on the same host, talks to gunicorn.
bind = ["127.0.0.1:8000"]


def _cpu_count() -> int:
    # The CPUs this process may run on (a container or a CPU affinity may allow fewer than
    # the machine has).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# Synchronous workers, each serving one request at a time: gunicorn's rule of thumb of two
# per CPU plus one keeps the CPUs busy while some workers wait for the database.
# WEB_CONCURRENCY sets another number.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cpu_count() + 1)
worker_class = "sync"

# Off: every worker builds its own application and so its own database connection pool.
# A pool created before the fork would hand the same connections to several workers.
preload_app = False

# An Excel export of a big matrix or a briefing's notice with its charts can take several
# seconds; a worker silent for longer than `timeout` is killed and restarted. nginx waits a
# little longer (proxy_read_timeout 75s) so it is gunicorn that gives up first.
timeout = 60
graceful_timeout = 30  # on SIGTERM or a restart, requests in flight get this long to finish
keepalive = 5

# A worker is replaced after about a thousand requests, which bounds what a slow leak (a
# library's cache, matplotlib's fonts) can grow to; the jitter keeps them from restarting
# together.
max_requests = 1000
max_requests_jitter = 100

# The heartbeat file of each worker lives in memory, not on a disk that may stall.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# No control socket (gunicorn 25.1+ opens one in $HOME by default): the service user has no
# home, and the service is managed by systemd.
control_socket_disable = True

# The client's address and scheme, which nginx sends in X-Forwarded-For and -Proto, reach the
# application through its own setting TRUSTED_PROXY_COUNT=1 (werkzeug's ProxyFix; see
# tiendo.env.example): gunicorn only passes the headers on.


# Logs: the access log on stdout and errors on stderr (journald under systemd), or, when
# GUNICORN_LOG_FOLDER is set, access.log and error.log in that folder (rotate them with
# logrotate and `systemctl reload tiendo-web`, which reopens them).
# Each access line starts with the client's address (the one nginx forwarded) and ends with the
# time taken.
_log_folder = os.environ.get("GUNICORN_LOG_FOLDER")
if _log_folder:
    Path(_log_folder).mkdir(parents=True, exist_ok=True)
    accesslog = str(Path(_log_folder) / "access.log")
    errorlog = str(Path(_log_folder) / "error.log")
    capture_output = True  # what the application prints goes to error.log too
else:
    accesslog = "-"
    errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
