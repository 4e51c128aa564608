"""The 台账's assessed rows kept per process under the duty data's token.

`portal.duties.ledger.read_ledger` assesses every instance the filter matches (lights, progress and
the sort are computed, so the light counts and the page's order need them all): with twenty plans
that is thousands of instances a request. The rows depend only on the filter, the day and the duty
data, so they are kept here, keyed by the token of `portal.refdata.duty_stamp` (replaced in the same
transaction as any write of instances, checklists, cooperating units, duties, units or plans, on any
host), the day and the filter. A hit is what a fresh read would give:

* the token is read before the rows (with the signed-in user), so rows stored under it are never
  older than it;
* a request or command that wrote duty data gets no token (`duty_stamp()` is None) and reads afresh,
  neither using nor storing;
* no token yet (nothing written since the database was made): nothing is cached.

The rows do not depend on who is looking (`read_ledger` filters by the query, not the account), so
the key holds no user. Each gunicorn worker keeps its own; entries of an older token are dropped when
a newer one is stored, and at most `MAX_ROWS` rows are kept in all (oldest entry out first).
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import astuple, dataclass
from datetime import date

from portal import refdata
from portal.core.time import today
from portal.duties import ledger
from portal.duties.ledger import LedgerFilter, LedgerRow
from portal.models import User

MAX_ROWS = 40_000  # a few full 台账 of twenty plans (6,000 rows each) per worker

_entries: OrderedDict[tuple, Ledger] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class Ledger:
    """A filter's rows, lit and sorted, and how many of them show each light."""

    rows: tuple[LedgerRow, ...]
    light_counts: Counter


def read(user: User, f: LedgerFilter, on: date | None = None) -> Ledger:
    """`read_ledger`'s rows and light counts, from this process's cache when the duty data has not
    changed since they were read (the day is `portal.core.time.today`, which tests move with `set_today`)."""
    on = on or today()
    stamp = refdata.duty_stamp()
    if stamp is None:
        return _read(user, f, on)
    key = (stamp, on, astuple(f))
    with _lock:
        hit = _entries.get(key)
        if hit is not None:
            _entries.move_to_end(key)
            return hit
    value = _read(user, f, on)
    with _lock:
        for old in [k for k in _entries if k[0] != stamp]:  # an older token's rows are never asked for again
            del _entries[old]
        _entries[key] = value
        kept = sum(len(v.rows) for v in _entries.values())
        while kept > MAX_ROWS and len(_entries) > 1:
            _, dropped = _entries.popitem(last=False)
            kept -= len(dropped.rows)
    return value


def _read(user: User, f: LedgerFilter, on: date) -> Ledger:
    rows = tuple(ledger.read_ledger(user, f, on))
    return Ledger(rows, Counter(r.light for r in rows))


def clear() -> None:
    with _lock:
        _entries.clear()
