"""The outbox's forms: a person's contact details and channel choices, a unit's robots and choices,
sending a failed delivery again."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import Length

from portal.limits import length_message
from portal.outbox import CHANNELS, KINDS, PERSON_CHANNELS, UNIT_CHANNELS


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class _Choices(FlaskForm):
    channels: tuple[str, ...] = ()

    def fill(self, current: dict[tuple[str, str], bool]) -> None:
        for kind in KINDS:
            for channel in self.channels:
                getattr(self, field_name(kind, channel)).data = current.get((kind, channel), True)

    def wanted(self) -> dict[tuple[str, str], bool]:
        return {(kind, channel): bool(getattr(self, field_name(kind, channel)).data)
                for kind in KINDS for channel in self.channels}


def _with_choices(base: type, channels: tuple[str, ...]) -> type:
    """A form class with one box per kind of message and channel (checked: the channel carries it)."""
    fields = {field_name(kind, channel): BooleanField(f"{KINDS[kind]}·{CHANNELS[channel]}", default=True)
              for kind in KINDS for channel in channels}
    return type(base.__name__, (base,), {"channels": channels, **fields})


class _MyMessages(_Choices):
    email = StringField("电子邮箱", validators=[Length(max=120, message=length_message("电子邮箱", 120))])
    mobile = StringField("手机号码", validators=[Length(max=20, message=length_message("手机号码", 20))])


class _UnitMessages(_Choices):
    wecom_url = StringField("企业微信群机器人地址")
    remove_wecom = BooleanField("删除企业微信群机器人")
    dingtalk_url = StringField("钉钉群机器人地址")
    dingtalk_secret = PasswordField("钉钉加签密钥")
    remove_dingtalk = BooleanField("删除钉钉群机器人")


MyMessagesForm = _with_choices(_MyMessages, PERSON_CHANNELS)
UnitMessagesForm = _with_choices(_UnitMessages, UNIT_CHANNELS)


class RetryForm(FlaskForm):
    pass
