"""Who may do what: one table, capabilities down, roles across.

Views declare the capability they need (`@requires("manage_users")` in portal.web.access), services ask
`can(user, "supervise")`, templates `can('see_figures')`. No other module names roles to decide
access (tests/test_capabilities.py checks). A page that needs either of two capabilities lists both:
`@requires("see_all_units", "act_for_own_unit")`; which rows or which county the person then sees is
the service's object-level rule, asked through the same capabilities.

A new role is a column here, an entry in `portal.core.roles.ROLE_LABELS` and a column of the reviewed
authorization matrix (tests/test_authz_matrix.py).

三员分立 (等保 2.0, GB/T 22239-2019 8.1.4.2 / 8.1.4.3): the system administrator (管理员) manages accounts,
units, the library and the 督查室's work; the security administrator (安全管理员) the login protection;
the auditor (审计管理员) reads and exports the audit log. None of the three holds another's capability,
and one account holds at most one of the three roles (`portal.core.roles.SEPARATED_ROLES`, enforced in
portal.admin.services).
"""
from __future__ import annotations

from portal.core.roles import ROLE_ORDER

# The table's columns are the role list's order: a role added there without its column here fails at
# import (zip(strict=True) below), not silently with no rights.
COLUMNS = tuple(ROLE_ORDER)
X, _ = True, False

TABLE: dict[str, tuple[bool, ...]] = {
    #                      管理员  安全管理员  审计管理员  领导  联络员  培训管理员  工作人员  学员
    "work_pages":         (X,      _,          _,          X,    X,      X,          X,        _),
    "see_all_units":      (X,      _,          _,          X,    _,      _,          _,        _),
    "act_for_own_unit":   (_,      _,          _,          _,    X,      _,          _,        _),
    "act_on_any_duty":    (X,      _,          _,          _,    _,      _,          _,        _),
    "supervise":          (X,      _,          _,          _,    _,      _,          _,        _),
    "give_instructions":  (X,      _,          _,          X,    _,      _,          _,        _),
    "make_bulletin":      (X,      _,          _,          X,    _,      _,          _,        _),
    "see_figures":        (X,      _,          _,          X,    _,      X,          _,        _),
    "manage_training":    (X,      _,          _,          _,    _,      X,          _,        _),
    "training_work":      (_,      _,          _,          _,    _,      X,          _,        _),
    "learn":              (_,      _,          _,          _,    _,      _,          _,        X),
    "manage_library":     (X,      _,          _,          _,    _,      _,          _,        _),
    "manage_plans":       (X,      _,          _,          _,    _,      _,          _,        _),
    "manage_users":       (X,      _,          _,          _,    _,      _,          _,        _),
    "manage_security":    (_,      X,          _,          _,    _,      _,          _,        _),
    "read_audit":         (_,      _,          X,          _,    _,      _,          _,        _),
}

# What each capability lets a person do, in the portal's words (docs/security.md).
LABELS: dict[str, str] = {
    "work_pages": "日常工作页面：任务台账、工作总览、组织机构、单位任务",
    "see_all_units": "查看全部单位的任务、报告、佐证材料和各县情况",
    "act_for_own_unit": "办理本单位牵头或配合的任务、报告和指标",
    "act_on_any_duty": "代任一单位办理任务（督查室）",
    "supervise": "督查室：核验销号、审批延期、阅读报告、核对分工覆盖",
    "give_instructions": "对任务作出批示",
    "make_bulletin": "生成和导出工作推进情况通报",
    "see_figures": "查看培训统计（概览、矩阵、全市汇总、逾期名单）",
    "manage_training": "管理花名册、安排培训、登记完成、签到表、地名",
    "training_work": "培训是本职工作：首页显示培训工作概况",
    "learn": "学员：本人的培训和测验",
    "manage_library": "法规管理：导入法规、修改登记信息",
    "manage_plans": "方案管理：导入方案、审核和发布任务分工、归档方案",
    "manage_users": "用户管理：新建、修改、停用账号，重置密码",
    "manage_security": "安全管理：登录保护（查看和解除登录限制）",
    "read_audit": "审计：查阅和导出审计日志",
}

CAPABILITIES: dict[str, frozenset[str]] = {
    name: frozenset(role for role, has in zip(COLUMNS, row, strict=True) if has) for name, row in TABLE.items()
}


def roles_with(*capabilities: str) -> frozenset[str]:
    """The roles holding any of these capabilities; an unknown name is a programming error (KeyError)."""
    if not capabilities:
        raise ValueError("name at least one capability")
    return frozenset().union(*(CAPABILITIES[c] for c in capabilities))


def can(user, *capabilities: str) -> bool:
    """Whether the user holds any of these capabilities (an anonymous visitor holds none). Not whether the
    account may sign in: programs act through inactive accounts (the demo data's actors)."""
    wanted = roles_with(*capabilities)
    has_role = getattr(user, "has_role", None)  # flask-login's anonymous user has no roles
    return has_role is not None and has_role(*wanted)


def capabilities_of(roles) -> list[str]:
    """The capabilities a set of roles holds, in the table's order."""
    have = set(roles)
    return [name for name, holders in CAPABILITIES.items() if holders & have]
