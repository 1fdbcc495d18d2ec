"""gunicorn's settings for this app (`make serve`: gunicorn -c python:loyalty.gunicorn).

Each value can be overridden from the environment (GUNICORN_CMD_ARGS or the variables below).

- Threads: a request spends much of its time waiting on PostgreSQL and Redis, so each worker
  process runs WEB_THREADS threads; a slow client then holds one thread, not a whole process.
- Limits: a request line over 4,094 bytes, more than 64 headers or a header over 8,190 bytes is
  refused by gunicorn itself (with its own plain page); the reverse proxy in front (README,
  "Production") enforces the same limits first and answers JSON, and buffers request bodies, so
  a client announcing more body than it sends never reaches a worker. Bodies over
  MAX_REQUEST_BODY_BYTES get the API's own 413.
- The access log names the method, path, status, size and duration, never a header or a body.
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 10_000
max_requests_jitter = 1_000
limit_request_line = 4094
limit_request_fields = 64
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# gunicorn's control socket (a per-user file under $HOME) would be shared by every instance on
# the host; this app is managed by signals and its process manager, so it goes without one.
control_socket_disable = True
