"""Error pages in Chinese; never a traceback in front of a user."""
import sqlalchemy as sa
from flask import current_app, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError

from portal.errorlog import log_failure
from portal.extensions import db, login_manager
from portal.web.htmx import is_htmx

MESSAGES = {
    400: "请求无效：输入中含有无法处理的字符或格式。",
    403: "无权访问此页面",
    404: "页面不存在",
    405: "不支持此操作",
    413: "上传的文件太大，没有保存",
    500: "系统内部错误，请稍后再试",
    503: "数据库暂时不可用，请稍后重试",
}
RETRY_AFTER_SECONDS = 10
# What SQLAlchemy raises when the database cannot be reached (down, restarting, refusing
# connections, pool exhausted, SQLite file locked or missing): a 503, never a 500.
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError,
                        sa.exc.TimeoutError)


def database_unavailable(error):
    """A 503 that touches nothing in the database; the pool reconnects by itself afterwards."""
    log_failure(current_app.logger, "database unavailable", error, with_stack=False)
    # Flask-Login's template context would load the user from the database again.
    g._login_user = login_manager.anonymous_user()
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool discards it
        pass
    if request.path.startswith("/api/"):
        response = make_response(jsonify(error=MESSAGES[503]), 503)
    elif is_htmx():
        # No swap (htmx config: 5xx is not swapped); portal.js shows a toast.
        response = make_response(MESSAGES[503], 503)
        response.mimetype = "text/plain"
    else:
        response = make_response(render_template("errors/unavailable.html", retry_after=RETRY_AFTER_SECONDS), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


HINTS = {413: "请压缩或拆分文件（大小限制写在上传框旁），返回上一页重新上传。"}


def _back_link() -> str | None:
    """The page the user came from, when it is one of ours (a refused upload goes back to its form)."""
    ref = request.referrer or ""
    return ref if ref.startswith(request.host_url) else None


def _render(code: int, message: str):
    if request.path.startswith("/api/"):
        return make_response(jsonify(error=message), code)
    if is_htmx():
        response = make_response(render_template("errors/_message.html", message=message), code)
        return response
    return make_response(render_template("errors/error.html", code=code, message=message, hint=HINTS.get(code),
                                         back=_back_link()), code)


def _message(error, code: int) -> str:
    """The page's message: ours for the code, or the one the view gave `abort(code, description=...)`."""
    given = getattr(error, "description", None)
    return given if isinstance(given, str) and given != type(error).description else MESSAGES[code]


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_htmx():
            # The page's token is stale (e.g. a new session): reload to get a fresh one.
            response = make_response("", 400)
            response.headers["HX-Refresh"] = "true"
            return response
        return _render(400, "页面已过期或表单来源无效，请返回并刷新页面后重试。")

    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, lambda e, code=code: _render(code, _message(e, code)))

    for exc_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(exc_class, database_unavailable)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500, MESSAGES[500])
