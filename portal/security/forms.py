from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf, Length


class ClearThrottleForm(FlaskForm):
    """Clear the failures of one (account, address) pair, one account or one address."""

    scope = HiddenField(validators=[AnyOf(["pair", "account", "address"], message="请求无效，请刷新页面后重试")])
    username = HiddenField(validators=[Length(max=64)])
    ip = HiddenField(validators=[Length(max=64)])
