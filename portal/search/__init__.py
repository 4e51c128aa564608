"""Full-text search over the policy library's clauses: the engine (pure, on plain records) and
the ``search`` blueprint (the search page, its htmx partial, and ``/api/search``).

At start (not under tests) a background thread warms the process: it loads the segmenter and
its dictionary, the pinyin and traditional→simplified tables, opens the index and answers one query, so the first user's search is as fast
as the rest (``SEARCH_WARM``, default on).
"""
import logging
import threading

from flask import Blueprint

bp = Blueprint("search", __name__)
log = logging.getLogger("portal.search")


def _warm(app) -> None:
    try:
        from portal.search import engine, pinyin, tokenizer, understand  # lazy: the package's own modules, not at its import

        tokenizer.use_content_dir(app.config["CONTENT_DIR"])
        tokenizer.segmenter()
        pinyin.readings("儿")            # the pinyin table (~0.7 s) and OpenCC's, read once per process
        understand.simplified("兒童")
        engine.search(app.config["SEARCH_INDEX_DIR"], "儿童福利")
    except Exception:  # warming is best effort; the first search does the same work
        log.exception("search warm-up failed")


@bp.record_once
def _start_warm(state) -> None:
    app = state.app
    if app.config.get("SEARCH_WARM", not app.testing):
        threading.Thread(target=_warm, args=(app,), name="search-warm", daemon=True).start()


from portal.search import views  # noqa: E402,F401
