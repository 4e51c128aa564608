from flask import flash, redirect, render_template, url_for

from portal.audit.services import record
from portal.extensions import db
from portal.security import bp, throttle
from portal.security.forms import ClearThrottleForm
from portal.web.access import requires

SCOPE_DONE = {"pair": "已解除该账号在此地址的登录限制。", "account": "已解除该账号在所有地址的登录限制。",
              "address": "已解除此地址对所有账号的登录限制。"}


@bp.route("/")
@requires("manage_security")
def throttles():
    return render_template("security/throttles.html", rows=throttle.current_rows(), form=ClearThrottleForm(),
                           window_hours=int(throttle.WINDOW.total_seconds() // 3600), pair=throttle.PAIR)


@bp.route("/clear", methods=["POST"])
@requires("manage_security")
def clear():
    form = ClearThrottleForm()
    if not form.validate():
        flash("请求无效，请刷新页面后重试。", "error")
        return redirect(url_for("security.throttles"))
    scope, username, ip = form.scope.data, form.username.data or "", form.ip.data or ""
    removed = throttle.clear(scope, username, ip)
    record("clear_login_failures", "user", username or ip, label=username or ip,
           after={"scope": scope, "username": username, "ip": ip, "removed": removed})
    db.session.commit()
    flash(SCOPE_DONE[scope], "success")
    return redirect(url_for("security.throttles"))
