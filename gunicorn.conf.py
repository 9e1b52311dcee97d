"""gunicorn's settings for microcred: ``gunicorn -c gunicorn.conf.py``, as `make run`, the deployment in README.md and
the end-to-end tests start it. Options given on the command line (``--bind``, ``--workers``) override these.

Threads, not just processes. Verifying another issuer's credential can wait on that issuer's servers for up to
MICROCRED_VERIFY_FETCH_SECONDS; with one request per process (sync workers), two such waits held both workers and
/healthz waited behind them. A gthread worker serves other requests on its other threads meanwhile, and the verifier
lets at most 2 verifications per process wait on other servers at once (the rest get a 503 with Retry-After;
credentials.verification.fetch_budget), so 6 of each worker's 8 threads stay free for pages and /healthz.

The application is thread-safe: a database session per request, the engine's pool (PostgreSQL 5 + 5 overflow, which
covers the 8 threads), and every cache shared between requests guarded by a lock.
"""

import os

wsgi_app = "wsgi:app"
worker_class = "gthread"
# gunicorn reads WEB_CONCURRENCY itself only when nothing sets `workers`; keep that way of changing it.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8
accesslog = "-"
