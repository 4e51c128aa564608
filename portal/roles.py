"""Role names: English in code and on the command line, Chinese in the UI."""

ADMIN = "admin"
LEADER = "leader"
LIAISON = "liaison"
TRAINER = "trainer"
STAFF = "staff"
# A trainee (学员) with a login: sees only their own training, the policy library and search.
TRAINEE = "trainee"

ROLE_LABELS = {
    ADMIN: "管理员",
    LEADER: "领导",
    LIAISON: "联络员",
    TRAINER: "培训管理员",
    STAFF: "工作人员",
    TRAINEE: "学员",
}
ROLE_ORDER = list(ROLE_LABELS)


def is_trainee_only(user) -> bool:
    """An account whose only role is 学员: kept out of every page not opened to trainees."""
    return bool(user.roles) and all(r == TRAINEE for r in user.roles)
