"""gunicorn settings for production and the benchmarks (docs/deploy.md).

gunicorn reads this file from the working directory, or give it with
``--config``; ``GUNICORN_*`` environment variables override the defaults.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "5"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 60
graceful_timeout = 10
max_requests = 20000
max_requests_jitter = 2000
