"""The search form for long queries sent by POST (a pasted paragraph would not fit in a URL)."""
from flask_wtf import FlaskForm
from wtforms import StringField

# What a POST accepts; the engine searches the first query.MAX_QUERY_CHARS and says so.
MAX_POSTED_CHARS = 20_000


class SearchForm(FlaskForm):
    q = StringField("查找", filters=[lambda v: (v or "")[:MAX_POSTED_CHARS]])
    doc = StringField("文件", filters=[lambda v: (v or "")[:80]])
    dept = StringField("部门", filters=[lambda v: (v or "")[:40]])
    validity = StringField("效力", filters=[lambda v: (v or "")[:40]])
    page = StringField("页", filters=[lambda v: (v or "")[:12]])
    limit = StringField("条数", filters=[lambda v: (v or "")[:12]])
    literal = StringField("按原词", filters=[lambda v: (v or "")[:2]])

