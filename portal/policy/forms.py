"""Forms of the library's admin page (every POST goes through one)."""
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, Regexp

from portal.content.register_file import STATUSES
from portal.web.forms import IdField, OverwriteField, choice
from portal.web.zhcontrols import DATE_REQUIRED, ZhDateField

DATE = Regexp(r"^\d{4}-\d{2}-\d{2}$", message="日期应写成 2019-01-01 这样的格式")


class UploadForm(FlaskForm):
    files = MultipleFileField("法规文本文件（可多选，.md 或 .txt，UTF-8 或 GB18030 编码）")


class ImportForm(FlaskForm):
    batch = HiddenField(validators=[DataRequired("缺少上传批次，请重新上传"),
                                    Regexp(r"^[0-9a-f]{16}$", message="上传批次无效，请重新上传")])


class RetireImportForm(FlaskForm):
    reason = StringField("撤下理由", validators=[DataRequired("请写明撤下的理由"), Length(max=500)])


class RetrainForm(FlaskForm):
    """重新安排学习: a module assigned again to the people trained on the earlier text."""
    due = ZhDateField("完成时限", validators=[InputRequired(DATE_REQUIRED)])


class RestoreImportForm(FlaskForm):
    pass


class DeleteImportForm(FlaskForm):
    reason = StringField("删除理由", validators=[DataRequired("请写明删除的理由"), Length(max=500)])


# ---------------------------------------------------------------- 收藏 (portal.policy.favourites)

class StarForm(FlaskForm):
    """Star (or un-star) a document or one of its articles, into a folder of one's own."""

    action = choice("star", "unstar")
    doc = HiddenField(validators=[DataRequired("请求无效，请刷新页面后重试。"), Length(max=80)])
    clause = HiddenField(validators=[Optional(), Length(max=60)])
    folder = IdField("收藏夹", validators=[Optional()])


class FolderForm(FlaskForm):
    name = StringField("收藏夹名称", validators=[DataRequired("请填写收藏夹名称"),
                                            Length(max=40, message="收藏夹名称最多 40 个字")])


class DeleteFolderForm(FlaskForm):
    pass


class MoveFavouriteForm(FlaskForm):
    folder = IdField("收藏夹", validators=[Optional()])


class UnstarForm(FlaskForm):
    pass


class RegisterEntryForm(FlaskForm):
    title = StringField("名称", validators=[DataRequired("请填写名称"), Length(max=300)])
    number = StringField("文号", validators=[Optional(), Length(max=80)])
    issuer = StringField("发布机关", validators=[Optional(), Length(max=200)])
    issued = StringField("发布日期", validators=[Optional(), DATE])
    effective = StringField("施行日期", validators=[Optional(), DATE])
    status = StringField("效力", validators=[AnyOf(STATUSES, message="请从列表中选择效力状态")])  # a <select> in the page
    statuses = STATUSES
    aliases = StringField("文中称谓（用“|”分隔）", validators=[Optional(), Length(max=400)])
    notes = TextAreaField("说明", validators=[Optional(), Length(max=2000)])
    stamp = HiddenField()  # when the entry was last changed, as the editor saw it
    overwrite = OverwriteField()  # a colleague's version the editor chose to replace (portal.locking.Conflict)
