"""Error pages in Chinese; never a traceback in front of a user."""
from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError

from portal.htmx_utils import is_htmx

MESSAGES = {
    400: "请求无效：输入中含有无法处理的字符或格式。",
    403: "无权访问此页面",
    404: "页面不存在",
    405: "不支持此操作",
    413: "上传的文件太大",
    500: "系统内部错误，请稍后再试",
}


def _render(code: int, message: str):
    if request.path.startswith("/api/"):
        return make_response(jsonify(error=message), code)
    if is_htmx():
        response = make_response(render_template("errors/_message.html", message=message), code)
        return response
    return make_response(render_template("errors/error.html", code=code, message=message), code)


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
        app.register_error_handler(code, lambda e, code=code: _render(code, MESSAGES[code]))

    @app.errorhandler(500)
    def server_error(error):
        from portal.extensions import db

        db.session.rollback()
        return _render(500, MESSAGES[500])
