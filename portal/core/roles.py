"""Role names: English in code and on the command line, Chinese in the UI.

What each role may do is not decided here but in one table, `portal.capabilities`.
"""

ADMIN = "admin"  # 系统管理员 in 等保 terms (accounts and units) and the 督查室 (supervision office)
# 三员分立 (等保 2.0): security settings and the audit log are not the system administrator's.
SECURITY_ADMIN = "security_admin"  # 安全管理员: login protection (throttles)
AUDITOR = "auditor"  # 审计管理员: reads and exports the audit log
LEADER = "leader"
LIAISON = "liaison"
TRAINER = "trainer"
STAFF = "staff"
# A trainee (学员) with a login: sees only their own training, the policy library and search.
TRAINEE = "trainee"

ROLE_LABELS = {
    ADMIN: "管理员",
    SECURITY_ADMIN: "安全管理员",
    AUDITOR: "审计管理员",
    LEADER: "领导",
    LIAISON: "联络员",
    TRAINER: "培训管理员",
    STAFF: "工作人员",
    TRAINEE: "学员",
}
ROLE_ORDER = list(ROLE_LABELS)

# 三员分立: one account holds at most one of these (an administrator cannot also audit himself).
SEPARATED_ROLES = (ADMIN, SECURITY_ADMIN, AUDITOR)


def is_administrator(user) -> bool:
    """One of the three administrators (管理用户 in 等保 terms): 管理员, 安全管理员 or 审计管理员."""
    return any(r in SEPARATED_ROLES for r in user.roles)


def is_trainee_only(user) -> bool:
    """An account whose only role is 学员: the login of one trainee, for their own training."""
    return bool(user.roles) and all(r == TRAINEE for r in user.roles)


def holds_other_than_trainee(user) -> bool:
    """An account holding any role besides 学员 (a staff or administrator account): never a trainee's login."""
    return any(r != TRAINEE for r in user.roles)
