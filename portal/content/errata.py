"""Errata lists: every change from a document's OCR source to its clean copy.

The errata file (TSV) records each change; ``reverse_errata`` undoes them so tests can prove
nothing else changed (``reconstruct_source`` rebuilds the source's normalised text).
Pure functions only (no Flask, no database).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from portal.content.policy_doc import ID_RE, ContentError, ParsedDocument, normalise_for_fidelity
from portal.content.problems import decode_utf8

ERRATA_COLUMNS = ["source_line", "clause", "kind", "before", "clean", "source", "after", "reason"]
# kind -> (clean must be non-empty, source must be non-empty)
ERRATA_KINDS = {
    "punct": (True, True),     # punctuation normalised (half-width → full-width)
    "replace": (True, True),   # character judged an OCR error and corrected
    "remove": (False, True),   # OCR debris dropped from the clean copy
    "insert": (True, False),   # text the OCR lost, restored in the clean copy
}


@dataclass(frozen=True)
class Erratum:
    file: str
    line: int  # line in the errata file
    source_line: int  # line in the source copy where the changed text starts
    clause: str
    kind: str
    before: str  # unchanged text just before the change (context)
    clean: str  # text in the clean copy
    source: str  # text in the source
    after: str  # unchanged text just after the change (context)
    reason: str


@dataclass
class ErrataFile:
    filename: str
    entries: list[Erratum] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


class ErrataError(ValueError):
    def __init__(self, problems: list[ContentError]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_errata(path: str | Path) -> ErrataFile:
    path = Path(path)
    text, problems = decode_utf8(path.read_bytes(), str(path))
    if text is None:
        return ErrataFile(str(path), errors=[ContentError(p.file, p.line, p.message) for p in problems])
    return parse_errata(text, str(path))


def parse_errata(text: str, filename: str) -> ErrataFile:
    result = ErrataFile(filename)
    err = lambda line, msg: result.errors.append(ContentError(filename, line, msg))  # noqa: E731
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].split("\t") != ERRATA_COLUMNS:
        err(1, "header must be the tab-separated columns: " + " ".join(ERRATA_COLUMNS))
        return result
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(ERRATA_COLUMNS):
            err(lineno, f"expected {len(ERRATA_COLUMNS)} tab-separated columns, found {len(cells)}")
            continue
        source_line, clause, kind, before, clean, source, after, reason = (c.strip() for c in cells)
        if not source_line.isdigit() or int(source_line) < 1:
            err(lineno, f"source_line must be a line number, not {source_line!r}")
            continue
        if not ID_RE.match(clause):
            err(lineno, f"malformed clause id {clause!r}")
        if kind not in ERRATA_KINDS:
            err(lineno, f"kind {kind!r} must be one of {', '.join(ERRATA_KINDS)}")
            continue
        need_clean, need_source = ERRATA_KINDS[kind]
        if bool(clean) != need_clean or bool(source) != need_source:
            err(lineno, f"kind {kind}: clean must be {'non-empty' if need_clean else 'empty'} "
                        f"and source {'non-empty' if need_source else 'empty'}")
        elif clean == source:
            err(lineno, "clean and source are the same: nothing changed")
        if not reason:
            err(lineno, "reason is empty")
        result.entries.append(Erratum(filename, lineno, int(source_line), clause, kind,
                                      before, clean, source, after, reason))
    return result


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reverse_errata(clean_text: str, errata: list[Erratum]) -> str:
    """Undo errata on one clause's normalised text, giving the source's text.

    Each entry's before+clean+after must occur exactly once in clean_text;
    entries are located in the clean text, then undone together. Removals
    at the same point are re-inserted in file order. Raises ErrataError.
    """
    problems: list[ContentError] = []
    edits: list[tuple[int, int, int, str, Erratum]] = []
    for order, e in enumerate(errata):
        before, clean = _squash(e.before), _squash(e.clean)
        needle = before + clean + _squash(e.after)
        hits = [m.start() for m in re.finditer(f"(?={re.escape(needle)})", clean_text)]
        if len(hits) != 1:
            what = "not found" if not hits else f"found {len(hits)} times; add context"
            problems.append(ContentError(e.file, e.line, f"clause {e.clause}: context {needle!r} {what}"))
            continue
        start = hits[0] + len(before)
        edits.append((start, start + len(clean), order, _squash(e.source), e))
    for i, (s1, e1, _, _, a) in enumerate(edits):
        for s2, e2, _, _, b in edits[i + 1:]:
            if max(s1, s2) < min(e1, e2) or (s1 == e1 and s2 < s1 < e2) or (s2 == e2 and s1 < s2 < e1):
                problems.append(ContentError(b.file, b.line, f"overlaps the erratum at line {a.line}"))
    if problems:
        raise ErrataError(problems)
    out, pos = [], 0
    for start, end, _, source, _ in sorted(edits, key=lambda x: (x[0], x[1] > x[0], x[2])):
        out += [clean_text[pos:start], source]
        pos = end
    return "".join(out) + clean_text[pos:]


def reconstruct_source(doc: ParsedDocument, errata: list[Erratum]) -> str:
    """The source's normalised text rebuilt from the clean copy and its errata."""
    ids = {c.id for c in doc.sections}
    stray = [ContentError(e.file, e.line, f"clause {e.clause} is not a section of {doc.filename}")
             for e in errata if e.clause not in ids]
    if stray:
        raise ErrataError(stray)
    return "".join(
        reverse_errata(normalise_for_fidelity(c.text), [e for e in errata if e.clause == c.id])
        for c in doc.sections)


def first_difference(expected: str, actual: str, context: int = 20) -> str | None:
    """None when equal; otherwise where and how the two texts first differ."""
    if expected == actual:
        return None
    i = next((k for k, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), min(len(expected), len(actual)))
    lo = max(0, i - context)
    return (f"first difference at character {i} (lengths {len(expected)} vs {len(actual)}):\n"
            f"  expected …{expected[lo:i]}[{expected[i:i + context]}]…\n"
            f"  actual   …{actual[lo:i]}[{actual[i:i + context]}]…")
