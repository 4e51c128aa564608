"""The quiz at the end of a training module ('## 测验'): its parts, its parser and its grading.

Split from training_file.py, which parses the rest of a module file; problems are reported through the
same `err(line, message)` callback so they name the module file's line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

PASS_RE = re.compile(r"^及格分数\s*[:：]\s*(\S*)\s*$")
DRAW_RE = re.compile(r"^每次抽题\s*[:：]\s*(\S*)\s*$")  # a bank: each attempt shows this many of its questions
EXPLAIN_RE = re.compile(r"^>\s*解析\s*[:：]\s*(.*?)\s*$")  # shown after an attempt; cites its source [[…]]
QUESTION_RE = re.compile(r"^###\s+(\d+)[.．、]\s*(.*?)\s*[（(](单选|多选)[）)]\s*$")
OPTION_RE = re.compile(r"^[-*]\s+\[([ xX])\]\s+(.*?)\s*$")
OPTIONS_RANGE = (2, 6)
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
QUIZ_HEADING = "测验"


@dataclass(frozen=True)
class QuizOption:
    text: str
    correct: bool


@dataclass(frozen=True)
class QuizQuestion:
    number: int  # 1, 2, 3… as written
    text: str  # without its number and the （单选）/（多选） mark
    multiple: bool
    options: tuple[QuizOption, ...]
    line: int
    explanation: str = ""  # Markdown with [[clause]] references, shown after an attempt
    explanation_line: int = 0

    @property
    def correct(self) -> frozenset[int]:
        """Indexes (0-based, in file order) of the correct options."""
        return frozenset(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Quiz:
    pass_mark: int  # percent of questions answered exactly right
    questions: tuple[QuizQuestion, ...]
    draw: int | None = None  # questions shown per attempt (None: all of them)


def parse_quiz(lines: list[str], at: int, err) -> Quiz | None:
    reader = _QuizReader(err)
    for i in range(at + 1, len(lines)):
        if lines[i].strip():
            reader.read(lines[i].rstrip(), i + 1)
    reader.close()
    pass_mark, questions = reader.pass_mark, reader.questions
    if pass_mark is None:
        err(at + 1, "the quiz needs a line '及格分数：80' (1–100) right after '## 测验'")
    if not questions:
        err(at + 1, "the quiz has no questions")
    if pass_mark is None or not questions:
        return None
    if reader.draw is not None and reader.draw > len(questions):
        err(reader.draw_line, f"每次抽题 is {reader.draw} but the quiz has only {len(questions)} questions")
        return None
    return Quiz(pass_mark, tuple(questions), reader.draw)


class _QuizReader:
    """The lines after '## 测验', one at a time: 及格分数, then question headings with their options."""

    def __init__(self, err) -> None:
        self.err = err
        self.pass_mark: int | None = None
        self.draw: int | None = None
        self.draw_line = 0
        self.questions: list[QuizQuestion] = []
        self.current: dict | None = None  # the question being read

    def read(self, line: str, lineno: int) -> None:
        pm, qm, om = PASS_RE.match(line.strip()), QUESTION_RE.match(line), OPTION_RE.match(line.strip())
        heading, dm, em = HEADING_RE.match(line), DRAW_RE.match(line.strip()), EXPLAIN_RE.match(line.strip())
        if pm:
            self._pass_mark(pm.group(1), lineno)
        elif dm:
            self._draw(dm.group(1), lineno)
        elif em:
            self._explain(em.group(1), lineno)
        elif qm:
            self._question(qm, lineno)
        elif om:
            self._option(om, lineno)
        elif heading and len(heading.group(1)) <= 2:
            self.err(lineno, f"'## {QUIZ_HEADING}' must be the last section of the module")
        elif line.startswith("###") or re.match(r"^\d+[.．、]", line):
            self.err(lineno, "a question heading is '### N. 问题文本（单选）' or '### N. 问题文本（多选）'")
            self.close()
            self.current = {"number": len(self.questions) + 1, "text": line, "multiple": False, "options": [],
                            "line": lineno, "broken": True}
        else:
            self.err(lineno, "unexpected line in the quiz: expected 及格分数, 每次抽题, a question heading, "
                             "an option '- [ ] …' or '> 解析：…'")

    def _pass_mark(self, value: str, lineno: int) -> None:
        if self.pass_mark is not None or self.questions or self.current is not None:
            self.err(lineno, "及格分数 must be given once, right after '## 测验'")
        elif not re.fullmatch(r"\d{1,3}", value) or not 1 <= int(value) <= 100:
            self.err(lineno, f"及格分数 must be a whole number from 1 to 100, not '{value}'")
            self.pass_mark = 0
        else:
            self.pass_mark = int(value)

    def _draw(self, value: str, lineno: int) -> None:
        if self.draw is not None or self.questions or self.current is not None:
            self.err(lineno, "每次抽题 must be given once, before the first question")
        elif not re.fullmatch(r"\d{1,3}", value) or int(value) < 1:
            self.err(lineno, f"每次抽题 must be a whole number of at least 1, not '{value}'")
        else:
            self.draw, self.draw_line = int(value), lineno

    def _explain(self, text: str, lineno: int) -> None:
        if self.current is None or not self.current["options"]:
            self.err(lineno, "'> 解析：…' belongs after a question's options")
        elif self.current.get("explanation"):
            self.err(lineno, f"question {self.current['number']} has more than one 解析")
        elif not text:
            self.err(lineno, "empty 解析")
        else:
            self.current["explanation"], self.current["explanation_line"] = text, lineno

    def _question(self, qm: re.Match, lineno: int) -> None:
        self.close()
        number = int(qm.group(1))
        expected = len(self.questions) + 1
        if number != expected:
            self.err(lineno, f"question numbering skips or repeats: {number} where {expected} was expected")
        if not qm.group(2):
            self.err(lineno, f"question {number} has no text")
        self.current = {"number": number, "text": qm.group(2), "multiple": qm.group(3) == "多选",
                        "options": [], "line": lineno}

    def _option(self, om: re.Match, lineno: int) -> None:
        if self.current is None:
            self.err(lineno, "option outside a question: start a question with '### 1. 问题（单选）'")
        elif not om.group(2):
            self.err(lineno, "empty option text")
        elif self.current.get("explanation"):
            self.err(lineno, "options come before the question's '> 解析：…' line")
        else:
            self.current["options"].append(QuizOption(om.group(2), om.group(1) in "xX"))

    def close(self) -> None:
        """Finish the question being read (checked, unless its heading was already reported)."""
        c, self.current = self.current, None
        if c is None:
            return
        if c.get("broken"):  # already reported; keep numbering in step
            self.questions.append(QuizQuestion(c["number"], c["text"], False, (), c["line"]))
            return
        q = QuizQuestion(c["number"], c["text"], c["multiple"], tuple(c["options"]), c["line"],
                         c.get("explanation", ""), c.get("explanation_line", 0))
        _check_question(q, self.err)
        self.questions.append(q)


def _check_question(q: QuizQuestion, err) -> None:
    low, high = OPTIONS_RANGE
    if not low <= len(q.options) <= high:
        err(q.line, f"question {q.number} has {len(q.options)} options; give {low} to {high}")
    right = len(q.correct)
    if not q.multiple and right != 1:
        err(q.line, f"question {q.number} is 单选 and must have exactly one [x] option, not {right}")
    if q.multiple and right < 2:
        err(q.line, f"question {q.number} is 多选 and must have at least two [x] options, not {right}")
    if len({o.text for o in q.options}) != len(q.options):
        err(q.line, f"question {q.number} repeats an option")


def grade(quiz: Quiz, answers: Mapping[int, set[int]]) -> tuple[int, bool]:
    """(score in whole percent, rounded down; passed). `answers` maps a question number to the
    0-based indexes of the options chosen; a question counts only when answered exactly right."""
    right = sum(1 for q in quiz.questions if set(answers.get(q.number, ())) == q.correct)
    score = right * 100 // len(quiz.questions)
    return score, score >= quiz.pass_mark
