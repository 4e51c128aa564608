"""Questions that teach: a module's question bank drawn per attempt, the 解析 after an attempt, item
statistics for trainers, and the trainees' short feedback.

The draw is a function of (trainee, module, how many graded attempts they made), keyed with the app's
secret: reloading the page shows the same questions (no shopping for an easy set), the next attempt
draws its own set, and the server knows which questions an answer sheet must carry without storing
the draw anywhere. Questions keep their file number as their id (attempts store answers by it); the
trainee sees them numbered 1..N in the order drawn.
"""
from __future__ import annotations

import hashlib
import hmac
import random
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from portal.audit.services import record
from portal.extensions import db
from portal.limits import too_long
from portal.models import QuizAttempt, Trainee, TrainingFeedback, TrainingModule, User
from portal.training.item_stats import ItemStat, item_stats
from portal.training.scope import CITY, TrainingError, county_scope, require

USEFUL = {1: "有用", 2: "一般", 3: "没什么用"}
CLEAR = {1: "清楚", 2: "一般", 3: "不清楚"}
MISSING_LIMIT = 200


def attempts_made(trainee: Trainee, module: TrainingModule) -> int:
    return db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).where(
        QuizAttempt.trainee_id == trainee.id, QuizAttempt.module_id == module.id)) or 0


def drawn(trainee: Trainee, module: TrainingModule) -> dict:
    """The quiz this trainee is shown now: questions numbered 1..N as shown, each with its file number as "id"."""
    quiz = module.quiz
    questions = quiz["questions"]
    size = quiz.get("draw") or len(questions)
    if size < len(questions):
        seed = hmac.new(str(current_app.config["SECRET_KEY"]).encode("utf-8"),
                        f"quiz:{trainee.id}:{module.key}:{attempts_made(trainee, module)}".encode("utf-8"),
                        hashlib.sha256).hexdigest()
        picked = {q["number"] for q in random.Random(seed).sample(questions, size)}
        questions = [q for q in questions if q["number"] in picked]
    return {"pass_mark": quiz["pass_mark"],
            "questions": [{**q, "id": q["number"], "number": i} for i, q in enumerate(questions, 1)]}


def by_id(shown: dict, answers: dict[int, set[int]]) -> tuple[dict, dict[int, set[int]]]:
    """The shown quiz and its answers keyed by the questions' file numbers, for grading and storing."""
    quiz = {"pass_mark": shown["pass_mark"], "questions": [{**q, "number": q["id"]} for q in shown["questions"]]}
    return quiz, {q["id"]: answers.get(q["number"], set()) for q in shown["questions"]}


@dataclass(frozen=True)
class Reviewed:
    number: int  # as shown in that attempt
    text: str
    right: bool
    explanation: str


def last_review(trainee: Trainee, module: TrainingModule) -> list[Reviewed]:
    """The questions of the trainee's last attempt, right or wrong, each with its 解析 (never the key itself)."""
    attempt = db.session.scalar(sa.select(QuizAttempt).where(
        QuizAttempt.trainee_id == trainee.id, QuizAttempt.module_id == module.id).order_by(QuizAttempt.id.desc()).limit(1))
    if attempt is None or not module.quiz:
        return []
    questions = {q["number"]: q for q in module.quiz["questions"]}
    out = []
    for i, (key, chosen) in enumerate(sorted(attempt.answers.items(), key=lambda kv: int(kv[0])), 1):
        q = questions.get(int(key))
        if q is not None:
            out.append(Reviewed(i, q["text"], _right(q, chosen), q.get("explanation", "")))
    return out


def _right(question: dict, chosen) -> bool:
    return set(chosen) == {i for i, o in enumerate(question["options"]) if o["correct"]}


# ---- item statistics ---------------------------------------------------------------------------

def statistics(user: User, module: TrainingModule) -> list[tuple[dict, ItemStat]]:
    """Per question of the bank: facility, discrimination and flags, over the attempts of the trainees
    the user manages (a county trainer: their county; the city: all)."""
    if not module.quiz:
        return []
    stmt = sa.select(QuizAttempt.answers).where(QuizAttempt.module_id == module.id)
    scope = county_scope(user)
    if scope is not CITY:
        stmt = stmt.join(Trainee, Trainee.id == QuizAttempt.trainee_id).where(Trainee.county_id == scope)
    questions = {q["number"]: q for q in module.quiz["questions"]}
    attempts = [{int(k): _right(questions[int(k)], v) for k, v in answers.items() if int(k) in questions}
                for answers in db.session.scalars(stmt)]
    stats = item_stats(sorted(questions), attempts)
    return [(questions[s.question], s) for s in stats]


# ---- feedback ------------------------------------------------------------------------------------

def feedback_of(trainee: Trainee, module: TrainingModule) -> TrainingFeedback | None:
    return db.session.scalar(sa.select(TrainingFeedback).where(
        TrainingFeedback.trainee_id == trainee.id, TrainingFeedback.module_id == module.id))


def give_feedback(user: User, trainee: Trainee, module: TrainingModule, useful: int, clear: int, missing: str) -> None:
    require(trainee.user_id == user.id and trainee.active)
    if useful not in USEFUL or clear not in CLEAR:
        raise TrainingError("请选择“是否有用”和“是否清楚”。")
    missing = missing.strip()
    if too_long("还缺什么", missing, MISSING_LIMIT):
        raise TrainingError(too_long("还缺什么", missing, MISSING_LIMIT))
    row = feedback_of(trainee, module)
    if row is None:
        row = TrainingFeedback(trainee_id=trainee.id, module_id=module.id, county_id=trainee.county_id)
        db.session.add(row)
    row.useful, row.clear, row.missing = useful, clear, missing
    record("feedback", "trainee", trainee.id, label=f"{trainee.name}：{module.title}",
           after={"useful": USEFUL[useful], "clear": CLEAR[clear], "missing": missing}, actor=user)
    db.session.commit()


@dataclass
class FeedbackSummary:
    count: int
    useful: list[tuple[str, int]]
    clear: list[tuple[str, int]]
    missing: list[str]


def feedback_summary(user: User, module: TrainingModule) -> FeedbackSummary:
    """Counts per answer and the "what was missing" texts (without names) of the user's scope."""
    stmt = sa.select(TrainingFeedback).where(TrainingFeedback.module_id == module.id)
    scope = county_scope(user)
    if scope is not CITY:
        stmt = stmt.where(TrainingFeedback.county_id == scope)
    rows = list(db.session.scalars(stmt.order_by(TrainingFeedback.id.desc())))
    useful, clear = Counter(r.useful for r in rows), Counter(r.clear for r in rows)
    return FeedbackSummary(len(rows), [(label, useful[k]) for k, label in USEFUL.items()],
                           [(label, clear[k]) for k, label in CLEAR.items()], [r.missing for r in rows if r.missing])
