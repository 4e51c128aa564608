"""A trainee's short feedback on a training module (useful? clear? what was missing?): one per person
and module, changed by sending it again."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal.core.time import utcnow
from portal.extensions import db


class TrainingFeedback(db.Model):
    __tablename__ = "training_feedback"
    __table_args__ = (sa.UniqueConstraint("trainee_id", "module_id", name="uq_training_feedback_trainee_module"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    trainee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("trainee.id"))
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training_module.id"), index=True)
    county_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("unit.id"))
    useful: so.Mapped[int] = so.mapped_column()  # 1 有用, 2 一般, 3 没什么用
    clear: so.Mapped[int] = so.mapped_column()  # 1 清楚, 2 一般, 3 不清楚
    missing: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
