"""Paging: the one reading of a page number, and a page of an in-memory list shaped like
Flask-SQLAlchemy's Pagination for `_pagination.html`."""
from __future__ import annotations

import math
from collections.abc import Sequence

MAX_PAGE = 99_999  # deeper than any list here; keeps OFFSET arithmetic far from overflow


def page_number(raw: object, last: int = MAX_PAGE) -> int:
    """The page a query string, form field or caller asks for: a whole number from 1 to `last` (a larger
    one is `last`); anything else — empty, zero, negative, not a number — is page 1. Never an error:
    the worst a typed page number can do is show the first or the last page. (The lists, the search page
    and the search engine all read page numbers here, so they agree.)"""
    if isinstance(raw, int) and not isinstance(raw, bool):
        wanted = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not (text.isascii() and text.isdigit()):
            return 1
        wanted = int(text) if len(text) <= 9 else last  # a 10-digit page is past any `last` used here
    return 1 if wanted < 1 else min(wanted, max(1, last))


class PageLinks:
    """Previous/next for `_pagination.html`, given `page` and `pages` (shared by every kind of page)."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


class ListPage(PageLinks):
    def __init__(self, items: Sequence, page: int, per_page: int) -> None:
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, math.ceil(self.total / per_page))
        self.page = min(max(1, page), self.pages)
        start = (self.page - 1) * per_page
        self.items = list(items[start:start + per_page])
        self.first = start + 1 if self.items else 0
        self.last = start + len(self.items)


class PageOf(PageLinks):
    """Page `page` of a list of `total` items counted elsewhere (a summary), read with LIMIT/OFFSET:
    the list itself is never loaded whole."""

    def __init__(self, total: int, page: int, per_page: int) -> None:
        self.total, self.per_page = total, per_page
        self.pages = max(1, math.ceil(total / per_page))
        self.page = min(max(1, page), self.pages)
        self.offset = (self.page - 1) * per_page
        self.first = self.offset + 1 if total else 0
        self.last = min(total, self.offset + per_page)


class PageAhead(PageLinks):
    """Page `page` of a list too long to count on every visit (the audit log grows by ~15,000 sign-ins
    a year): one row more than a page is read, which says whether there is a next one. No total."""

    pages = 0  # unknown

    def __init__(self, items: Sequence, page: int, per_page: int) -> None:
        self.page, self.per_page = page, per_page
        self.items = list(items[:per_page])
        self._more = len(items) > per_page
        start = (page - 1) * per_page
        self.first = start + 1 if self.items else 0
        self.last = start + len(self.items)

    @property
    def has_next(self) -> bool:
        return self._more
