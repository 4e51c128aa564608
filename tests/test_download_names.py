"""A download's name: the Chinese one in `filename*`, a readable ASCII one in `filename` (werkzeug's own
fallback turned 「督办通知单（2026年第1号）.docx」 into "(20261).docx")."""
from portal.web.downloads import attachment


def test_the_ascii_fallback_is_readable_and_the_chinese_name_kept():
    header = attachment("督办通知单（2026年第1号）.docx", "duban-notice-2026-1.docx")
    assert header.startswith('attachment; filename="duban-notice-2026-1.docx"; ')
    assert "filename*=UTF-8''%E7%9D%A3%E5%8A%9E" in header


def test_the_fallback_never_carries_quotes_or_spaces():
    assert 'filename="a-b.docx"' in attachment("x", 'a "b.docx')
    assert 'filename="download"' in attachment("x", "督办")
