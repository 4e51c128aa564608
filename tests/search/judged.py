"""The judged sets of questions and variants (queries_questions.tsv, queries_variants.tsv, and the
questions' development set queries_dev.tsv): read
them and score a search against them. Shared by tests/search/test_judged.py and ``python -m bench
search`` (which asks them of the grown library too).

An expected entry is ``doc:clause`` (a hit: that clause or a finer anchor under it, e.g. a8.1.2
under a8) or ``*:!clause`` (a hit: no law's clause of that id in the top three — a pasted sentence
holding 第五条 must not bring up every law's 第五条). ``doc`` may be a national law's title
(学前教育法:a59): a law the benchmark's library holds beside the shipped ones (``bench/national.py``),
found only there. ``equivalents.tsv`` names, for shipped articles, the national law's articles
stating the same provision; ``with_equivalents`` adds them to a row's answers.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
QUESTIONS = HERE / "queries_questions.tsv"
DEV = HERE / "queries_dev.tsv"   # questions written in session 13 to tune on (part ``dev``), in QUESTIONS' format
VARIANTS = HERE / "queries_variants.tsv"
EQUIVALENTS = HERE / "equivalents.tsv"
PARTS = ("tuned", "held", "dev")
QUESTION_FILES = (QUESTIONS.name, DEV.name)   # three columns: part, question, answers (the kind is 问题)


@dataclass(frozen=True)
class Judged:
    part: str           # tuned | held (never tuned on) | dev (queries_dev.tsv: tuned on)
    kind: str           # 问题, or the variant's kind (错字, 繁体, 拼音, 首字母, 简称, 口语, 条号)
    query: str
    expected: tuple[str, ...]


def load(path: Path) -> list[Judged]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if path.name in QUESTION_FILES:
            cols = [cols[0], "问题", *cols[1:]]
        if len(cols) != 4 or cols[0] not in PARTS:
            raise ValueError(f"{path.name}:{n}: expected {'3' if path.name in QUESTION_FILES else '4'} tab-separated columns")
        out.append(Judged(cols[0], cols[1], cols[2], tuple(e.strip() for e in cols[3].split(",") if e.strip())))
    return out


def equivalents() -> dict[str, tuple[str, ...]]:
    """shipped ``doc:clause`` → the national law's ``title:clause`` entries stating the same provision."""
    out: dict[str, tuple[str, ...]] = {}
    for n, line in enumerate(EQUIVALENTS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            raise ValueError(f"{EQUIVALENTS.name}:{n}: expected 4 tab-separated columns")
        out[cols[0]] = out.get(cols[0], ()) + tuple(f"{cols[1]}:{c.strip()}" for c in cols[2].split(",") if c.strip())
    return out


def with_equivalents(rows: list[Judged], laws: dict[str, str]) -> list[Judged]:
    """``rows`` with each answer's equivalents added and every national law's title replaced by its
    document id in ``laws`` (title → doc id; a title not there stays and matches nothing)."""
    from dataclasses import replace

    same = equivalents()

    def doc_of(entry: str) -> str:
        doc, clause = entry.split(":", 1)
        return f"{laws.get(doc, doc)}:{clause}"

    return [replace(j, expected=tuple(dict.fromkeys(doc_of(e) for x in j.expected for e in (x, *same.get(x, ())))))
            for j in rows]


def is_hit(got: Iterable[tuple[str, str]], expected: tuple[str, ...]) -> bool:
    """``got``: the top results as (doc, clause id)."""
    got = list(got)
    for e in expected:
        doc, clause = e.split(":", 1)
        if doc == "*" and clause.startswith("!"):
            if not any(c == clause[1:] for _, c in got):
                return True
        elif any(d == doc and (c == clause or c.startswith(clause + ".")) for d, c in got):
            return True
    return False


def score(rows: list[Judged], top3: Callable[[str], list[tuple[str, str]]]) -> dict[str, tuple[int, int, list[str]]]:
    """part → (hits, asked, misses) for ``top3(query)`` (the first three results as (doc, clause))."""
    out: dict[str, tuple[int, int, list[str]]] = {}
    for part in PARTS:
        hits, asked, misses = 0, 0, []
        for j in rows:
            if j.part != part:
                continue
            asked += 1
            got = top3(j.query)[:3]
            if is_hit(got, j.expected):
                hits += 1
            else:
                misses.append(f"{j.kind} {j.query!r}: expected {list(j.expected)}, got {got}")
        out[part] = (hits, asked, misses)
    return out
