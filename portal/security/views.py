from flask import flash, redirect, render_template, url_for

from portal.audit.services import record
from portal.core.refusals import FormKey
from portal.extensions import db
from portal.security import bp, throttle
from portal.security.forms import ClearThrottleForm
from portal.web.access import requires
from portal.web.forms import INVALID, NOTHING_REFUSED, Refused

SCOPE_DONE = {"pair": "已解除该账号在此地址的登录限制。", "account": "已解除该账号在所有地址的登录限制。",
              "address": "已解除此地址对所有账号的登录限制。"}


@bp.route("/")
@requires("manage_security")
def throttles():
    return _page()


def _page(refused: Refused = NOTHING_REFUSED):
    """The login limits; `refused`: a 解除 refused, its reason beside that row's button (on top when
    the row is gone), at 422."""
    rows = throttle.current_rows()
    shown = {FormKey.throttle(scope, row.username, row.ip or "") for row in rows for scope in SCOPE_DONE}
    page = render_template("security/throttles.html", rows=rows, form=ClearThrottleForm(formdata=None),
                           window_hours=int(throttle.WINDOW.total_seconds() // 3600), pair=throttle.PAIR,
                           refused=refused, refused_elsewhere=bool(refused.key) and refused.key not in shown)
    return (page, 422) if refused.key else page


@bp.route("/clear", methods=["POST"])
@requires("manage_security")
def clear():
    form = ClearThrottleForm()
    if not form.validate():
        key = FormKey.throttle(*(str(getattr(form, f).data or "")[:64] for f in ("scope", "username", "ip")))
        return _page(Refused(key, INVALID))
    scope, username, ip = form.scope.data, form.username.data or "", form.ip.data or ""
    removed = throttle.clear(scope, username, ip)
    record("clear_login_failures", "user", username or ip, label=username or ip,
           after={"scope": scope, "username": username, "ip": ip, "removed": removed})
    db.session.commit()
    flash(SCOPE_DONE[scope], "success")
    return redirect(url_for("security.throttles"))
