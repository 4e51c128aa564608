"""What a statute's history block states (its dates, 文号, issuing body, the revision an edition is),
as the front matter's fields: read from the lines statute_import.py set aside as history.

Pure functions only."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
EFFECTIVE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:起)?施行")
PROMULGATION_WORDS = ("通过", "公布", "发布")
ISSUER_PATTERNS = (("全国人民代表大会常务委员会", "全国人民代表大会常务委员会"),
                   ("全国人民代表大会", "全国人民代表大会"), ("国务院令", "国务院"), ("国务院第", "国务院"))
ORDER_RE = re.compile(r"((?:中华人民共和国)?[\u4e00-\u9fff]{2,8}令第\d+号)")  # 国务院令第685号
ISSUER_RE = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:部|委员会|总局|局|署))令")


def real_date_problem(m: re.Match) -> str | None:
    """'2026年2月30日' in a history line: why it cannot be a date, or None."""
    try:
        date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return f"{m.group(0)} is not a real date (there is no such day)"
    return None


def iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def short_title(title: str) -> str:
    """《中华人民共和国未成年人保护法》 is cited as 《未成年人保护法》."""
    return title.removeprefix("中华人民共和国") if title.startswith("中华人民共和国") and len(title) > 9 else ""


def statute_fields(title: str, history: list[tuple[int, str]], lines: list[str],
                   edition: str) -> tuple[dict, list[tuple[int, str]]]:
    """The front matter a statute's history (its (source line, text) lines) and text state, and
    the history's dates that are no day (with their lines): then there are no fields."""
    problems = [(n, real_date_problem(m)) for n, text in history for m in DATE_RE.finditer(text)
                if real_date_problem(m)]  # a date that is no day (2026年2月30日) would become the version's date
    if problems:
        return {}, problems
    texts = [text for _, text in history]
    joined = " ".join(texts)
    dates = [iso(m) for m in DATE_RE.finditer(joined)]
    stated = [iso(m) for m in EFFECTIVE_RE.finditer(joined)]
    if not stated:  # 本法自2021年6月1日起施行 (the last article that says so)
        for line in reversed(lines):
            m = re.search(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行", line)
            if m:
                stated = [iso(m)]
                break
    made = [iso(m) for text in texts for m in DATE_RE.finditer(text)
            if not re.match(r"\s*起?施行", text[m.end():])] or dates
    edition = edition or (made[-1] if made else "")
    made = [d for d in made if d <= edition] + ([edition] if edition else [])
    effective = max([d for d in (stated[-1] if stated else "", edition) if d], default="")
    return {"title": title, "short_title": short_title(title),
            "date": made[-1] if made else "", "edition": edition, "effective": effective,
            **_history_fields(texts, edition)}, []


def _history_fields(texts: list[str], edition: str) -> dict:
    """文号 and 发文单位 with the act they belong to, and the revision the edition is, as the history
    states them: the last 令号 stated up to the edition, with its own date and body; without one, the
    first 通过/公布/发布 (a law's 发文单位: the body that adopted the edition, where its line says so)."""
    issuer = next(filter(None, (_issuer(text) for text in texts if any(w in text for w in PROMULGATION_WORDS))), "")
    acts = [a for a in history_acts(texts) if not edition or a.day <= edition]
    numbered = [(a, m.group(1)) for a in acts for m in ORDER_RE.finditer(a.text)]
    first = numbered[-1][0] if numbered else next((a for a in acts if a.word in PROMULGATION_WORDS), None)
    revision = next((a for a in reversed(acts) if a.day == edition and a.word in REVISION_WORDS and a is not first),
                    None)
    if numbered:  # the 令号's own act: its body goes with the number
        issuer = _issuer(first.text) or issuer
    elif revision is not None and _issuer(revision.text):
        issuer = _issuer(revision.text)
    return {"number": numbered[-1][1].removeprefix("中华人民共和国") if numbered else "", "issuers": issuer,
            "promulgated": first.day if first else "", "promulgated_by": _issuer(first.text) if first else "",
            "promulgated_as": first.word if first else "",
            "revised_by": revision.shown if revision is not None else ""}


REVISION_WORDS = ("修订", "修正")
ACT_WORDS = ("公布", "发布", "通过", "修订", "修正", "批准", "印发")
# what leads into the next statement's date: 「…第649号公布　根据2019年…」, 「…修订　自2014年…起施行」
CONNECTIVE_RE = re.compile(r"(?:根据|自|并|[，,、;；])+$")
REVISION_RE = re.compile(r"^(.*?)((?:第[一二三四五六七八九十]+次)?(?:修订|修正)(?:通过)?)$")


@dataclass
class Act:
    """One dated statement of a statute's history: 「2014年2月21日 中华人民共和国国务院令第649号公布」,
    「根据2019年3月2日《国务院关于修改部分行政法规的决定》修订」 (several may share a line)."""

    day: str  # ISO date
    date_text: str  # the date as the text writes it: 2019年3月2日
    text: str  # the statement after its date, as written (spaces and a stray bracket dropped)
    word: str  # what it did: 公布 / 发布 / 通过 / 修订 / 修正 / 批准 / 印发 ('' for 施行 and the like)

    @property
    def shown(self) -> str:
        """The statement as a revision is labelled: 「2019年3月2日修订（《国务院关于修改部分行政法规的决定》）」,
        「2018年12月29日第二次修正（第十三届全国人民代表大会常务委员会第七次会议《关于修改…的决定》）」:
        the date and what was done, then by what or whom, in the history line's own words."""
        m = REVISION_RE.match(self.text)
        if not m:
            return f"{self.date_text}{self.text}"
        by = m.group(1).strip()
        return f"{self.date_text}{m.group(2)}" + (f"（{by}）" if by else "")


def history_acts(lines: list[str]) -> list[Act]:
    """The dated statements of a history block, in order: a line is split before each date it
    states (「…第649号公布　根据2019年3月2日《…决定》修订」 is two acts); 「根据」, 「自」 lead into the
    next one's date and are dropped."""
    acts = []
    for line in lines:
        dates = [m for m in DATE_RE.finditer(line) if not real_date_problem(m)]
        for i, m in enumerate(dates):
            end = dates[i + 1].start() if i + 1 < len(dates) else len(line)
            text = CONNECTIVE_RE.sub("", re.sub(r"\s+", "", line[m.end():end]))
            text = _unbracketed(text.strip("，,、;；"))
            if re.match(r"^起?施行", text):
                word = ""
            else:
                found = [(text.rfind(w), w) for w in ACT_WORDS if w in text]
                word = max(found)[1] if found else ""
            acts.append(Act(iso(m), m.group(0), text, word))
    return acts


def _unbracketed(text: str) -> str:
    """「…第二次修订）」 (the history's closing bracket, its opening one on an earlier line) → 「…第二次修订」."""
    while text.endswith(("）", ")")) and text.count("）") + text.count(")") > text.count("（") + text.count("("):
        text = text[:-1]
    while text.startswith(("（", "(")) and text.count("（") + text.count("(") > text.count("）") + text.count(")"):
        text = text[1:]
    return text


def _issuer(text: str) -> str:
    for needle, issuer in ISSUER_PATTERNS:
        if needle in text:
            return issuer
    m = ISSUER_RE.search(DATE_RE.sub(" ", text))
    return m.group(1) if m else ""
