"""gunicorn settings read from the project folder (`gunicorn wsgi:app` run here picks this file up).

The app is loaded once in the master before the workers are forked (`preload_app`), and what it
loaded is frozen out of the garbage collector's reach before each fork (`pre_fork`): code, templates'
sources and libraries are shared between workers copy-on-write instead of each worker importing its
own. Measured on the demo database with 4 warmed workers (proportional set size per worker, i.e.
shared pages split between the processes sharing them): 136 MiB without preloading, 75 MiB with it,
57 MiB with the freeze before fork; the four workers were ready in ~21 s instead of ~29 s on a busy
machine. Nothing opens a database connection or
the search index while the app is created; a forked worker drops any pooled connection it inherited
anyway (`post_fork`), so no connection is ever shared between processes.

A worker warms itself before it takes requests: its first database connection, the per-process
reference data (units, duties, the 方案's clauses) and the compiled page templates, then freezes
what the warm-up made out of the garbage collector's reach (`portal.warmup`). Without this a
worker's first requests pay all of it — measured by `python -m bench load` as the first unit board
after signing in, slow in the burst when many people sign in at once (docs/NOTES.md, session 4).
"""

import gc
import os

preload_app = True
# No thread may run in the master when it forks: one holding a lock (SQLite's allocator, the search
# segmenter's) at that instant leaves it held forever in the worker, which then hangs at its first
# search (seen with PostgreSQL: the master's search warm-up thread was opening the index). The
# master therefore loads the app without the search warm-up thread; every worker warms its own
# search in post_worker_init (portal.warmup) before it serves.
os.environ["PORTAL_SEARCH_WARM"] = "0"


def pre_fork(server, worker):
    gc.freeze()  # the app the master loaded: a worker's collections never touch (and so copy) its pages


def post_fork(server, worker):
    from portal.extensions import db

    with worker.app.wsgi().app_context():
        db.engine.dispose(close=False)  # the master's pooled connections (if any) stay the master's


def post_worker_init(worker):
    from portal.warmup import warm_worker

    warm_worker(worker.wsgi, worker.log)
