"""gunicorn settings read from the project folder (`gunicorn wsgi:app` run here picks this file up).

A worker warms itself before it takes requests: its first database connection, the per-process
reference data (units, duties, the 方案's clauses) and the compiled page templates. Without this a
worker's first requests pay all of it — measured by `python -m bench load` as the first unit board
after signing in, slow in the burst when many people sign in at once (docs/NOTES.md, session 4).
"""


def post_worker_init(worker):
    from portal.warmup import warm_worker

    warm_worker(worker.wsgi, worker.log)
