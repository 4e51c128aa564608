"""The one family of refusals every domain raises and every view answers the same way.

* `Refusal`: a user-facing Chinese reason an action was refused; the view draws the page (or fragment)
  again with the message beside the form and what was typed kept (`portal.web.forms.Refused`). Each
  domain's error class (`portal.duties.services.DutyError`, `portal.training.scope.TrainingError`, …)
  is a Refusal.
* `Stale`: a Refusal because someone saved first (optimistic locking); the message names who and when
  and, where it can, the colleague's version is shown beside what was typed (`conflict`).
* `NotAllowed`: not this person's to do at all: a 403 (never a message), the one class for every domain.

Views run a service action through `portal.web.actions.attempt`, which answers these three, and name
the form a refusal is drawn beside by a `FormKey` (templates read the same names as `KEY`).
Pure: no Flask, no database.
"""
from __future__ import annotations


class Refusal(Exception):
    """A user-facing reason (Chinese, shown as is) why an action was refused."""

    conflict = None  # a portal.locking.Conflict: the colleague's version beside what was typed


class Stale(Refusal):
    """Someone else changed the thing since the page was drawn."""


class NotAllowed(PermissionError):
    """The user may not do this at all (a 403), as opposed to a Refusal shown beside the form."""


class FormKey:
    """The names of the forms a refusal is drawn beside (`portal.web.forms.Refused`'s key): the one
    spelling the views write and the templates read (the template global `KEY`, portal/web/filters.py).
    A form repeated per row carries the row's id (`FormKey.ext(7)` is "ext-7")."""

    # the duty page (templates/duties/instance.html, templates/duties/_work.html)
    NOTE = "note"
    EVIDENCE = "evidence"
    RESPONSIBLE = "responsible"
    EXTENSION = "extension"
    DECIDE = "decide"
    INDICATOR = "indicator"      # the board's figure form on it
    INSTRUCTION = "instruction"  # the board's 批示 form on it
    COVERAGE = "coverage"        # training's 「附上培训覆盖情况表」 on it
    # a trainee's page (templates/training/trainee.html)
    ACTIVE = "active"
    NEW_PASSWORD = "new-password"  # 重新生成初始密码
    ASSIGN = "assign"
    COMPLETE = "complete"
    # the group assignment page (templates/training/assign.html), the sheets page (templates/training/sheets.html)
    COHORT = "cohort"
    SHEET = "sheet"
    # a plan's review page (templates/plans/review.html)
    DIVISION = "division"
    ADD_DRAFT = "add-draft"
    PUBLISH = "publish"
    # a sign-in sheet's page (templates/training/sheet.html): the photo upload
    PHOTO = "photo"
    # the roster import page (templates/training/import.html): the upload, the confirmation
    ROSTER = "roster"
    # an account's page in 用户管理 (templates/admin/user_form.html): 重置密码, 动态验证码's reset, 停用/启用
    USER_PASSWORD = "user-password"
    USER_SECOND_FACTOR = "user-second-factor"
    USER_ACTIVE = "user-active"
    # 我的账号 (templates/auth/account.html): 生成新的恢复码, 关闭动态验证码
    RECOVERY_CODES = "recovery-codes"
    SECOND_FACTOR_OFF = "second-factor-off"
    # a law's new edition and a module citing it (templates/policy/retrain.html): 重新安排学习
    RETRAIN = "retrain"

    @staticmethod
    def state(action: str) -> str:
        """A duty's state form (申请销号, 标记受阻, 恢复推进)."""
        return f"state-{action}"

    @staticmethod
    def ext(ext_id: int) -> str:
        """The decision on one 延期 request."""
        return f"ext-{ext_id}"

    @staticmethod
    def bulk(kind: str) -> str:
        """The 督查室 queue's form deciding many requests of a kind ("close", "extension")."""
        return f"bulk-{kind}"

    @staticmethod
    def unassign(assignment_id: int) -> str:
        """取消安排 of one assignment on a trainee's page."""
        return f"end-{assignment_id}"

    @staticmethod
    def void(completion_id: int) -> str:
        """更正 (void) one completion on a trainee's page."""
        return f"void-{completion_id}"

    @staticmethod
    def end_rule(rule_id: int) -> str:
        """撤销 one group rule on the group assignment page."""
        return f"rule-{rule_id}"

    @staticmethod
    def library_import(import_id: int) -> str:
        """撤下, 恢复 or 彻底删除 of one library import (templates/policy/admin.html: the row's forms)."""
        return f"import-{import_id}"

    @staticmethod
    def split_draft(draft_id: int) -> str:
        """拆分 of one drafted duty on a plan's review page."""
        return f"split-{draft_id}"

    @staticmethod
    def merge_draft(draft_id: int) -> str:
        """合并 into one drafted duty on a plan's review page."""
        return f"merge-draft-{draft_id}"

    @staticmethod
    def drop_draft(draft_id: int) -> str:
        """删除 of one drafted duty on a plan's review page."""
        return f"drop-draft-{draft_id}"

    @staticmethod
    def map_name(name: str) -> str:
        """对应 of one unknown unit name to a unit on a plan's review page."""
        return f"map-name-{name}"

    @staticmethod
    def new_unit(name: str) -> str:
        """新建单位 for one unknown unit name on a plan's review page."""
        return f"new-unit-{name}"

    @staticmethod
    def no_duty(clause_id: str) -> str:
        """「无具体任务」's reason for one clause on a plan's review page."""
        return f"no-duty-{clause_id}"

    @staticmethod
    def throttle(scope: str, username: str, ip: str) -> str:
        """解除 of one login limit (a scope of one row) on the login protection page
        (templates/security/throttles.html)."""
        return f"throttle-{scope}-{username}-{ip}"

    @staticmethod
    def retry(delivery_id: int) -> str:
        """重新发送 of one failed delivery on a message's page (templates/outbox/message.html)."""
        return f"retry-{delivery_id}"

    @staticmethod
    def star(clause_id: str) -> str:
        """收藏 of a document ("") or one article on its page (templates/policy/_star.html)."""
        return f"star-{clause_id}"

    @staticmethod
    def certificate(certificate_id: int) -> str:
        """下载 of one certificate's PDF (its links in templates/training/_certificates.html)."""
        return f"certificate-{certificate_id}"

    @staticmethod
    def plan(plan_id: int) -> str:
        """A plan's own buttons (归档 / 恢复 / 修订任务分工) on the plans list and the plan's page."""
        return f"plan-{plan_id}"

    @staticmethod
    def sheet_photo(photo_id: int) -> str:
        """Opening one photo of a signed sheet (its link on the sheet's page)."""
        return f"sheet-photo-{photo_id}"

    @staticmethod
    def rename(place_id: int) -> str:
        """改名 of one township or village on the places page (templates/training/places.html)."""
        return f"rename-{place_id}"

    @staticmethod
    def merge(place_id: int) -> str:
        """合并 of one township or village into another on the places page."""
        return f"merge-{place_id}"
