"""Policy Markdown → safe HTML.

python-markdown with its raw-HTML handling switched off (so ``<script>`` in content comes out
as text), then the nh3 sanitiser as a second wall. Afterwards, on the sanitised output only:

* line breaks inside a paragraph between Chinese characters are dropped (a browser would
  show them as spaces: 四（二）'s one-sentence-per-line paragraph must read as one text);
* citations are linked (the caller decides where each points);
* inner anchors ``{#4.2.3}`` become empty elements carrying the id, so permalinks land there.
"""
from __future__ import annotations

import html as html_lib
import re
from typing import Callable

import markdown
import nh3

from portal.content.citations import Citation

ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "ul", "ol", "li", "hr",
                "br", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "a", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# link_for returns a URL, or (URL or None, note) when the reader must be told something
ANCHOR_MARK_RE = re.compile(r"\{#([A-Za-z0-9.-]+)\}")  # a17-1.1.2: an item of 第十七条之一
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARK_RE = re.compile(f"{_OPEN}([A-Za-z0-9.-]+){_CLOSE}")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u201c-\u201d\u2018-\u2019"
_JOIN_RE = re.compile(rf"([{_CJK}]|</strong>|</em>|</a>)\n(?=[{_CJK}<{_OPEN}])")
_TAG_SPLIT_RE = re.compile(r"(<[^>]*>)")


def _converter() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def join_cjk_lines(html: str) -> str:
    return _JOIN_RE.sub(r"\1", html)


def render_markdown(
    text: str,
    link_for: Callable[[Citation], str | None] | None = None,
    find: Callable[[str], list[Citation]] | None = None,
    anchor_html: Callable[[str], str] | None = None,
) -> str:
    """Sanitised HTML for one piece of policy Markdown."""
    marked = ANCHOR_MARK_RE.sub(lambda m: f"{_OPEN}{m.group(1)}{_CLOSE}", text)
    out = _converter().convert(marked)
    out = nh3.clean(out, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
    out = join_cjk_lines(out)
    if link_for is not None and find is not None:
        out = _link_citations(out, link_for, find)
    anchor_html = anchor_html or (lambda cid: f'<span class="clause-anchor" id="{html_lib.escape(cid)}"></span>')
    return _MARK_RE.sub(lambda m: anchor_html(m.group(1)), out)


def _link_citations(html: str, link_for, find) -> str:
    parts = _TAG_SPLIT_RE.split(html)
    in_link = 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part):
                in_link += 1
            elif part.startswith("</a"):
                in_link = max(0, in_link - 1)
            continue
        if in_link or not part:
            continue
        text = html_lib.unescape(part)
        pieces, pos = [], 0
        for cit in find(text):
            url = link_for(cit)
            url, note = url if isinstance(url, tuple) else (url, "")
            if not url and not note:
                continue
            pieces.append(html_lib.escape(text[pos:cit.start], quote=False))
            shown = html_lib.escape(cit.text, quote=False)
            pieces.append(f'<a class="cite" href="{html_lib.escape(url)}">{shown}</a>' if url else shown)
            if note:  # an ambiguous citation says so instead of silently choosing
                pieces.append(f'<span class="cite-note">（{html_lib.escape(note, quote=False)}）</span>')
            pos = cit.end
        if pieces:
            parts[i] = "".join(pieces) + html_lib.escape(text[pos:], quote=False)
    return "".join(parts)
