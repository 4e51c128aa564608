"""Form fields shared by every blueprint: versions, dates and choices that fail in Chinese, never a 500."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, Length, ValidationError

from portal.limits import length_message
from portal.locking import parse_version
from portal.web.inputs import MAX_ID, parse_int

INVALID = "请求无效，请刷新页面后重试。"


class VersionField(HiddenField):
    """The version an edit was made from (optimistic locking); None when absent or malformed."""

    def process_formdata(self, valuelist):
        self.data = parse_version(valuelist[0]) if valuelist else None

    def _value(self):
        return "" if self.data is None else str(self.data)


class WholeNumberField(IntegerField):
    """A whole number typed or chosen in a form: ASCII digits within [low, high] (what a database column
    holds); anything else is the field's Chinese message, never an overflow in the database."""

    def __init__(self, label=None, validators=None, low: int = 0, high: int = MAX_ID, message: str = "", **kw):
        super().__init__(label, validators, **kw)
        self.low, self.high = low, high
        self.message = message or f"{self.label.text}应为 {low} 到 {high} 之间的整数，如 12。"

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw = raw
        if not raw:
            self.data = None
            return
        self.data = parse_int(raw, self.low, self.high)
        if self.data is None:
            raise ValueError(self.message)

    def _value(self):
        return getattr(self, "raw", "") or ("" if self.data is None else str(self.data))


class IdField(WholeNumberField):
    """The id of something chosen from a list (a township, a place to merge into)."""

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, low=1, message=f"所选{label}无效，请重新选择。", **kw)


class OverwriteField(HiddenField):
    """The token of a colleague's version this person chose to replace (templates/_conflict.html's
    「以我填写的内容覆盖」); None when not chosen."""

    def process_formdata(self, valuelist):
        self.data = (valuelist[0].strip()[:64] or None) if valuelist else None


def expected_version(form) -> int | None:
    """The version an edit may replace: the colleague's one this person chose to overwrite (the form's
    `overwrite`), else the one the form was opened at (its `version`)."""
    chosen = parse_version(form.overwrite.data) if form.overwrite.data else None
    return chosen if chosen is not None else form.version.data


def version_required(form, field) -> None:
    if field.data is None:
        raise ValidationError("缺少版本号，请刷新页面后重试")


def choice(*values: str, message: str = INVALID) -> HiddenField:
    """A hidden/button value that must be one of `values`."""
    return HiddenField(validators=[AnyOf(values, message=message)])


def text(label: str, limit: int) -> StringField:
    return StringField(label, validators=[Length(max=limit, message=length_message(label, limit))])


def text_limit(field) -> int | None:
    """The most characters a field's Length validator allows (None: no limit), for its counter."""
    limits = [v.max for v in getattr(field, "validators", ()) if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


def first_error(form: FlaskForm) -> str:
    """The first validation message, for views that show one line."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return INVALID


class Refused:
    """A form the server refused, for the page drawn again in its place: the message goes beside
    that form and what was typed is put back (nothing is lost to a redirect). `key` names the form
    on the page (e.g. "extension", "ext-7"); other forms on the page show their usual values."""

    def __init__(self, key: str = "", error: str = "", data=None, conflict=None):
        self.key, self.error, self.data = key, error, data or {}
        self.conflict = conflict  # a portal.locking.Conflict when a colleague's save was the reason

    def on(self, key: str) -> bool:
        return bool(self.key) and self.key == key

    def value(self, key: str, field: str, default=""):
        value = self.data.get(field, default) if self.on(key) else default
        # What was typed comes back whole (a refusal for length keeps it all); only a post far beyond
        # every limit (portal/limits.py) is not echoed in full.
        return value[:100_000] if isinstance(value, str) else value


NOTHING_REFUSED = Refused()


__all__ = ["NOTHING_REFUSED", "Field", "FlaskForm", "IdField", "OverwriteField", "Refused", "VersionField", "WholeNumberField",
           "choice", "expected_version", "first_error", "text", "text_limit", "version_required"]
