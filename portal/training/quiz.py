"""A module's quiz as stored (JSON) → the parser's Quiz, for grading; which questions are unanswered or wrong."""
from __future__ import annotations

from collections.abc import Mapping

from portal.content.training_quiz import Quiz, QuizOption, QuizQuestion


def quiz_from_dict(data: dict) -> Quiz:
    return Quiz(data["pass_mark"], tuple(
        QuizQuestion(q["number"], q["text"], q["multiple"],
                     tuple(QuizOption(o["text"], o["correct"]) for o in q["options"]), 0)
        for q in data["questions"]))


def unanswered(data: dict, answers: Mapping[int, set[int]]) -> list[int]:
    """Numbers of the questions with no option chosen, in order."""
    return [q["number"] for q in data["questions"] if not answers.get(q["number"])]


def wrong(data: dict, answers: Mapping[int, set[int]]) -> list[int]:
    """Numbers of the questions not answered exactly right (the numbers only: never the right options)."""
    return [q["number"] for q in data["questions"]
            if set(answers.get(q["number"], ())) != {i for i, o in enumerate(q["options"]) if o["correct"]}]


def numbers_label(numbers: list[int]) -> str:
    """[2, 4] -> 第2、4题."""
    return "第" + "、".join(str(n) for n in numbers) + "题"


def incomplete_message(missing: list[int]) -> str:
    return f"请回答全部题目：{numbers_label(missing)}未作答。本次未计入测验次数。"


def failed_message(score: int, pass_mark: int, wrong_numbers: list[int]) -> str:
    return (f"测验未通过：得分 {score} 分，及格需 {pass_mark} 分。"
            f"{numbers_label(wrong_numbers)}答错，请重读模块后再试。")
