"""A module's quiz as stored (JSON) → the parser's Quiz, for grading."""
from __future__ import annotations

from portal.content.training_file import Quiz, QuizOption, QuizQuestion


def quiz_from_dict(data: dict) -> Quiz:
    return Quiz(data["pass_mark"], tuple(
        QuizQuestion(q["number"], q["text"], q["multiple"],
                     tuple(QuizOption(o["text"], o["correct"]) for o in q["options"]), 0)
        for q in data["questions"]))

