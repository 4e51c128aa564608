"""Role names: English in code and on the command line, Chinese in the UI."""

ADMIN = "admin"
LEADER = "leader"
LIAISON = "liaison"
TRAINER = "trainer"
STAFF = "staff"

ROLE_LABELS = {
    ADMIN: "管理员",
    LEADER: "领导",
    LIAISON: "联络员",
    TRAINER: "培训管理员",
    STAFF: "工作人员",
}
ROLE_ORDER = list(ROLE_LABELS)
