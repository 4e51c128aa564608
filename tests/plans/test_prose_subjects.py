"""Prose per department, found on the tuned part of the plans benchmark: 民发〔2019〕62号 and 国发〔2016〕13号
(tests/plans/corpus/minzheng-2019-shishiwuren.txt, guowuyuan-2016-liushou.txt). Each case quotes the plan."""
from __future__ import annotations

from portal.plan_text.drafting import draft_duties
from portal.plan_text.reader import read_plan
from portal.plan_text.subjects import SUBJECT, subject_names

# 民发〔2019〕62号 四（二）, whole
COOPERATION_62 = (
    "（二）加强部门协作。民政部门应当履行主管部门职责，做好资格确认、生活补贴发放、综合协调和监督管理等工作。"
    "对认定过程中处境危急的儿童，应当实施临时救助和监护照料。人民法院应当对申请宣告儿童父母失踪、死亡及撤销父母监护权等"
    "案件设立绿色通道，及时将法律文书抄送儿童户籍地县级民政部门、乡镇人民政府（街道办事处），实现信息实时共享。"
    "人民检察院应当对涉及儿童权益的民事诉讼活动进行监督，必要时可以支持起诉维护合法权益，对有关部门不履行相关职责的应当"
    "提出依法履职的检察建议。公安部门应当加大对失联父母的查寻力度，对登记受理超过6个月仍下落不明的，通过信息共享、书面函复"
    "等途径，向民政部门或相关当事人提供信息查询服务。财政部门应当加强资金保障，支持做好事实无人抚养儿童保障等相关工作。"
    "共青团应当充分动员青年社会组织和青少年事务社工，指导少先队组织，依托基层青少年服务阵地，配合提供各类关爱和志愿服务。"
    "妇联组织应当发挥村（居）妇联主席和妇联执委作用，提供家庭教育指导、关爱帮扶及权益维护等服务。公安、司法、刑罚执行机关"
    "在办案中发现涉案人员子女或者涉案儿童属于或者可能属于事实无人抚养儿童的，应当及时通报其所在地民政部门或乡镇人民政府"
    "（街道办事处）。民政、公安、司法、医疗保障、残联等部门和组织应当加强工作衔接和信息共享，为开展查验工作提供支持，"
    "切实让数据多跑路、让群众少跑腿。")

# 国发〔2016〕13号 三（三）, whole (printed here as （二） under 四、 like the other case)
SCHOOLS_13 = (
    "（二）加大教育部门和学校关爱保护力度。县级人民政府要完善控辍保学部门协调机制，督促监护人送适龄儿童、少年入学并完成"
    "义务教育。教育行政部门要落实免费义务教育和教育资助政策，确保农村留守儿童不因贫困而失学；支持和指导中小学校加强心理"
    "健康教育，促进学生心理、人格积极健康发展，及早发现并纠正心理问题和不良行为；加强对农村留守儿童相对集中学校教职工的"
    "专题培训，着重提高班主任和宿舍管理人员关爱照料农村留守儿童的能力；会同公安机关指导和协助中小学校完善人防、物防、"
    "技防措施，加强校园安全管理，做好法治宣传和安全教育，帮助儿童增强防范不法侵害的意识、掌握预防意外伤害的安全常识。"
    "中小学校要对农村留守儿童受教育情况实施全程管理，利用电话、家访、家长会等方式加强与家长、受委托监护人的沟通交流，"
    "了解农村留守儿童生活情况和思想动态，帮助监护人掌握农村留守儿童学习情况，提升监护人责任意识和教育管理能力；及时了解"
    "无故旷课农村留守儿童情况，落实辍学学生登记、劝返复学和书面报告制度，劝返无效的，应书面报告县级教育行政部门和乡镇人民"
    "政府，依法采取措施劝返复学；帮助农村留守儿童通过电话、视频等方式加强与父母的情感联系和亲情交流。寄宿制学校要完善"
    "教职工值班制度，落实学生宿舍安全管理责任，丰富校园文化生活，引导寄宿学生积极参与体育、艺术、社会实践等活动，增强"
    "学校教育吸引力。")


CLAUSE = "4.2"  # the paragraphs are printed as 四、（二）, and numbered so


def draft(tmp_path, *paragraphs):
    path = tmp_path / "plan.txt"
    path.write_text("\n".join(["关于进一步加强事实无人抚养儿童保障工作的意见", "四、强化保障措施", *paragraphs]), encoding="utf-8")
    return {d.clause: d for d in draft_duties(read_plan(path), [])}


def test_a_list_sharing_one_ending_names_each_body_with_it():
    assert subject_names("公安、司法、刑罚执行机关") == ["公安机关", "司法机关", "刑罚执行机关"]
    assert subject_names("民政、公安、司法、医疗保障、残联", "等部门和组织") == [
        "民政部门", "公安部门", "司法部门", "医疗保障部门", "残联"]
    assert subject_names("财政、民政部门") == ["财政部门", "民政部门"]
    # 和/及 between two whole names separate them; inside a name (人力资源和社会保障) they do not
    assert subject_names("县级民政部门及救助管理机构") == ["县级民政部门", "救助管理机构"]
    assert subject_names("乡镇人民政府（街道办事处）和村（居）民委员会") == ["乡镇人民政府（街道办事处）", "村（居）民委员会"]
    assert subject_names("人力资源和社会保障部门") == ["人力资源和社会保障部门"]
    # 运民发〔2021〕74号 三（二）8: places before a place's body
    assert subject_names("闻喜县、新绛县儿童福利院和相关县（市、区）民政局") == [
        "闻喜县儿童福利院", "新绛县儿童福利院", "相关县（市、区）民政局"]
    # 国发〔2016〕13号 三（四）: 「各级」 is every level of the same bodies
    assert subject_names("各级工会、共青团、妇联、残联、关工委", "等群团组织") == ["工会", "共青团", "妇联", "残联", "关工委"]


def test_bodies_without_an_ending_and_schools_lead_their_sentences():
    for sentence, names in [("共青团应当充分动员青年社会组织和青少年事务社工，", "共青团"),
                            ("妇联要依托妇女之家、儿童之家等活动场所，", "妇联"),
                            ("寄宿制学校要完善教职工值班制度，", "寄宿制学校"),
                            ("公安、司法、刑罚执行机关在办案中发现涉案人员子女或者涉案儿童属于或者可能属于事实无人抚养儿童的，"
                             "应当及时通报其所在地民政部门", "公安、司法、刑罚执行机关")]:
        assert SUBJECT.match(sentence).group("names") == names
    # an action on a school is no subject
    assert SUBJECT.match("支持和指导中小学校加强心理健康教育，") is None


def test_a_clause_of_department_sentences_gives_a_duty_per_department(tmp_path):
    duties = draft(tmp_path, COOPERATION_62)
    leads = [duties[f"{CLAUSE}.{k}"].lead for k in range(1, 10)]
    assert leads == [["民政部门"], ["人民法院"], ["人民检察院"], ["公安部门"], ["财政部门"], ["共青团"], ["妇联组织"],
                     ["公安机关", "司法机关", "刑罚执行机关"], ["民政部门", "公安部门", "司法部门", "医疗保障部门", "残联"]]
    # the sentence without a subject belongs to the department before it
    assert "实施临时救助和监护照料" in duties[f"{CLAUSE}.1"].sources["checklist"]
    assert f"{CLAUSE}.10" not in duties


def test_department_sentences_run_on_through_semicolons(tmp_path):
    duties = draft(tmp_path, SCHOOLS_13)
    assert [duties[f"{CLAUSE}.{k}"].lead for k in range(1, 5)] == [
        ["县级人民政府"], ["教育行政部门"], ["中小学校"], ["寄宿制学校"]]
    assert duties[f"{CLAUSE}.2"].cooperating == ["公安机关"]


def test_the_inline_lead_and_cooperating_form_without_a_bracket(tmp_path):
    """「A牵头，B、C配合」 and 「A负责，B配合」 in the sentence itself (a tester's plan, session 9): the units after
    the comma cooperate; after a county-wide lead a bare bureau is each county's bureau of that kind."""
    path = tmp_path / "plan.txt"
    path.write_text("\n".join([
        "关于做好困境儿童关爱服务工作的实施方案", "", "二、主要任务",
        "（一）开展摸底排查。各县（市、区）民政局牵头，教育局、公安局配合，于2027年3月31日前完成辖区困境儿童摸底排查。",
        "（二）加强社工服务。市民政局负责，市财政局配合，2027年底前为每个乡镇配备至少1名社会工作者。",
        "（三）完善临时监护。市民政局会同市公安局建立临时监护衔接机制，长期坚持。",
        "（四）做好宣传。市委宣传部牵头负责，市民政局、市妇联等部门协助，营造良好氛围。",
    ]), encoding="utf-8")
    duties = {d.title: d for d in draft_duties(read_plan(path), [], None)}
    survey, social, guardian, publicity = (duties[t] for t in ("开展摸底排查", "加强社工服务", "完善临时监护", "做好宣传"))
    assert (survey.lead, survey.cooperating) == (["各县（市、区）民政局"], ["各县（市、区）教育局", "各县（市、区）公安局"])
    assert (social.lead, social.cooperating) == (["市民政局"], ["市财政局"])
    assert (guardian.lead, guardian.cooperating) == (["市民政局"], ["市公安局"])
    assert (publicity.lead, publicity.cooperating) == (["市委宣传部"], ["市民政局", "市妇联"])


def test_a_lists_last_item_closing_it_with_its_ending_gives_that_ending():
    # 国发〔2016〕36号 三（二）: 「等有关部门」「等社会救助管理部门」 close a list sharing 部门
    assert subject_names("教育、卫生计生、人力资源社会保障等有关部门和公安机关、残联组织") == [
        "教育部门", "卫生计生部门", "人力资源社会保障部门", "公安机关", "残联组织"]
    assert subject_names("民政、教育、住房城乡建设等社会救助管理部门") == ["民政部门", "教育部门", "住房城乡建设部门"]
    # a name on its own before 等… stays itself
    assert subject_names("区司法局等有关部门") == ["区司法局"]
    assert SUBJECT.match("共青团、残联组织要发挥优势，").group("names") == "共青团、残联组织"
