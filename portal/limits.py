"""How long each typed text may be, in one place: the forms' validators and the services' checks
refuse longer text with the limit named (what was typed is drawn again, nothing is cut), and the pages
show the limit and what is left as people type (templates/_controls.html, static/js/controls.js;
no `maxlength`, which would cut a paste silently). Counted in characters, after `portal.text`
normalised line breaks to one character each, as the counter counts."""

NOTE = 5000            # a duty's 工作记录
REPORT_FIELD = 10000   # each box of a 进展报告
REASON = 2000          # 申请销号/受阻/延期 reasons, the 督查室's comments, a leader's 批示
FIGURE_NOTE = 200      # the remark beside a reported figure
RESPONSIBLE_NAME = 40  # 具体责任人
RESPONSIBLE_PHONE = 30
SEARCH_BOX = 200       # what the search engine reads of a query; a longer paste is posted (长文检索)
TRAINING_REASON = 200  # cancelling an assignment, voiding a completion; a completion's 备注
AREA_NAME = 60         # a township or village name
SESSION_PLACE = 120
TRAINER_NAME = 60


def too_long(label: str, text: str, limit: int) -> str | None:
    """The refusal of a text longer than `limit`, naming the limit and how long it is; None if it fits."""
    return f"{label}不能超过 {limit} 字（现有 {len(text)} 字），请删减后再提交。" if len(text) > limit else None


def length_message(label: str, limit: int) -> str:
    """The same refusal for a WTForms Length validator (it fills in the length)."""
    return f"{label}不能超过 {limit} 字（现有 %(length)d 字），请删减后再提交。"
