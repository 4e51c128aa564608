"""Drafter fixes found on the tuned part of the plans benchmark (tests/plans/labels, split "tuned"); each
case is a sentence of a tuned plan, quoted."""
from __future__ import annotations

from datetime import date

from portal.plan_text.deadlines import Deadline, find_deadline
from portal.plan_text.drafting import draft_duties
from portal.plan_text.reader import read_plan
from portal.plan_text.units import split_names


def draft(tmp_path, lines):
    path = tmp_path / "plan.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return {d.clause: d for d in draft_duties(read_plan(path), [])}


# 数字广东建设2025年工作要点 (tests/plans/corpus/guangdong-2025-shuzi.txt)

def test_a_department_written_without_its_level_is_at_the_level_of_the_list():
    assert split_names("省委宣传部、文化和旅游厅、广电局、体育局") == ["省委宣传部", "省文化和旅游厅", "省广电局", "省体育局"]
    # a new run after 「，」 starts afresh; names of other bodies keep their own spelling
    assert split_names("省委网信办，省保密局、密码管理局，省公安厅、政务和数据局，省通信管理局") == [
        "省委网信办", "省保密局", "省密码管理局", "省公安厅", "省政务和数据局", "省通信管理局"]
    assert split_names("省委金融办，广东金融监管局、中国证监会广东监管局") == ["省委金融办", "广东金融监管局", "中国证监会广东监管局"]
    assert split_names("省自然资源厅、住房城乡建设厅、农业农村厅、市场监管局") == [
        "省自然资源厅", "省住房城乡建设厅", "省农业农村厅", "省市场监管局"]
    assert split_names("市工商局、市金融办、团市委") == ["市工商局", "市金融办", "团市委"]


def test_words_after_a_name_are_dropped_however_many():
    assert split_names("省国资委等单位按职责分工负责") == ["省国资委"]
    assert split_names("省发展改革委、工业和信息化厅、能源局，省通信管理局等按职责分工负责") == [
        "省发展改革委", "省工业和信息化厅", "省能源局", "省通信管理局"]
    assert split_names("省科技厅、工业和信息化厅按职责分工负责，各地级以上市人民政府结合实际落实") == [
        "省科技厅", "省工业和信息化厅", "各地级以上市人民政府"]


def test_a_bracket_of_the_kind_drafts_lead_and_cooperating_units(tmp_path):
    duties = draft(tmp_path, ["数字广东建设2025年工作要点", "二、大力推动数字经济高质量发展", "（一）提升数字产业发展能级",
                              "14.发展数字创意产业。提升无人智能游览、可穿戴设备、智能终端等智能装备技术水平。"
                              "（省工业和信息化厅牵头，省委宣传部、文化和旅游厅、广电局、体育局按职责分工负责）"])
    duty = duties["2.1.14"]
    assert duty.lead == ["省工业和信息化厅"]
    assert duty.cooperating == ["省委宣传部", "省文化和旅游厅", "省广电局", "省体育局"]


def test_long_term_words_followed_by_their_object_are_the_task_not_its_time():
    assert find_deadline("强化跨部门政策、业务、系统协同和数据共享，持续推进“一件事”高效办理。") is None
    assert find_deadline("常态化开展安全培训、安全审计、安全测评、漏洞排查和供应链安全管理。") is None
    assert find_deadline("持续推进交通运输部自动驾驶先导应用试点（广州南沙城市出行服务）建设。") is None
    # as the time of the task they still count: a sentence's end, a 完成时限 cell
    assert find_deadline("此项工作长期坚持。").text == "长期坚持"
    assert find_deadline("持续推进").text == "持续推进"


# 杭州市推进“互联网+”行动实施意见 (tests/plans/corpus/hangzhou-2015-hulianwang.txt)

HANGZHOU = ["杭州市推进“互联网+”行动实施意见", "(征求意见稿V2.2)", "(2015年9月15日)", "二、 实施重点", "(一)“互联网+”创业创新",
            "1.大力发展众创空间。通过杭州国家自主创新示范区、小微企业创业创新基地示范城市建设,充分发挥互联网的创新驱动作用,"
            "利用产业集聚区、工业园区、商业综合体等平台,为广大创新创业者提供良好的工作空间、网络空间、社交空间和资源共享空间。"
            "三年内认定市级众创空间60家以上。(牵头单位:市科委,配合单位:各区县市)",
            "2.加快特色小镇建设。以云溪小镇、梦想小镇等“九镇三谷”为引领,聚焦信息经济特色小镇建设,集聚创新资源、转化创新成果,"
            "实现产业发展从资源要素驱动向创新发展驱动转变。力争5年内有 家特色小镇获省级认定。(牵头单位:市发改委,配合单位:各区县市)"]


def test_a_field_key_ends_the_value_before_it(tmp_path):
    duties = draft(tmp_path, HANGZHOU)
    assert duties["2.1.1"].lead == ["市科委"]
    assert duties["2.1.1"].cooperating == ["各区县市"]
    assert duties["2.1.2"].lead == ["市发改委"]


def test_a_date_in_brackets_under_the_title_is_the_date_of_issue(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("\n".join(HANGZHOU), encoding="utf-8")
    assert read_plan(path).issued == date(2015, 9, 15)


def test_years_within_count_from_the_plans_year(tmp_path):
    assert find_deadline("三年内认定市级众创空间60家以上。", date(2015, 9, 15)) == Deadline("三年内", date(2017, 12, 31))
    assert find_deadline("力争5年内有 家特色小镇获省级认定。", date(2015, 9, 15)).day == date(2019, 12, 31)
    duties = draft(tmp_path, HANGZHOU)
    assert (duties["2.1.1"].deadline_text, duties["2.1.1"].deadline) == ("三年内", date(2017, 12, 31))
    # 「年内」 alone is still this year's end
    assert find_deadline("年内完成", date(2015, 9, 15)).day == date(2015, 12, 31)


# 安徽 土地节约集约利用 试点实施方案, 青岛 基本养老服务 实施意见 (tests/plans/corpus/anhui-tudijieyue-shidian.txt,
# qingdao-2023-jibenyanglao.txt)

def test_every_body_of_the_levels_after_ge_is_one_name():
    assert split_names("省住房城乡建设厅,各市、县人民政府") == ["省住房城乡建设厅", "各市、县人民政府"]
    assert split_names("各区、市政府负责落实") == ["各区、市政府"]
    # a list of units after 各区 is not one: 「各区、市财政局」 is each district and the city's bureau
    assert split_names("各区、市财政局") == ["各区", "市财政局"]


def test_a_field_bracket_with_a_semicolon_gives_lead_and_cooperating(tmp_path):
    duties = draft(tmp_path, ["根据《自然资源部关于同意〈安徽省土地节约集约利用综合改革试点工作方案〉的函》(自然资函〔2022〕1284号)"
                              "要求,经省政府同意,结合安徽省实际,制定本实施方案。", "一、重点任务", "(一)加强规划计划源头管控",
                              "1. 将节约集约用地理念贯穿于国土空间规划编制和实施监督全过程。坚持保护优先、节约优先,出台县、乡镇国土空间总体规划以及详细规"
                              "划、村庄规划编制指南。加强规划成果中节约用地落实情况审查,确保符合节约用地规范要求,不突破上位规划约束性指标。依托国土空"
                              "间基础信息平台,建立健全全省统一的国土空间规划“一张图”实施监督信息系统,建立健全国土空间规划动态监测评估预警和实施监管机制,对下级国土空间规划中各类管控边界、约束性指标等管控要求的落实情况进行监督检查,将国土空间规划执行情况纳入自然资源执法检查内容。"
                              "(牵头单位:省自然资源厅;责任单位:省住房城乡建设厅,各市、县人民政府)"])
    assert duties["1.1.1"].lead == ["省自然资源厅"]
    assert duties["1.1.1"].cooperating == ["省住房城乡建设厅", "各市、县人民政府"]


# 亳州市谯城区 2025年度区民政局重点工作任务分解 (tests/plans/corpus/qiaocheng-2025-minzheng.txt)

def test_a_task_table_may_state_its_tasks_as_measures(tmp_path):
    duties = draft(tmp_path, ["2025年度区民政局重点工作任务分解", "",
                              "| 序号 | 责任单位 | 考核指标 | 实施部门 | 实施步骤 | 完成时限 |",
                              "| --- | --- | --- | --- | --- | --- |",
                              "| 1 | 区民政局 | 按照临时救助有关政策要求,按月完成临时救助的审核确认工作,及时足额发放城乡困难居民临时救助金。"
                              " | 低保中心 | 按季度序时推进 | 2025年12月底 |"])
    duty = duties["tb1.1"]
    assert duty.lead == ["区民政局"] and duty.cooperating == []
    assert duty.deadline == date(2025, 12, 31)


def test_a_unit_named_after_its_place_does_not_take_the_level_before_it():
    # 「市民政局、盐湖区民政局」: the second is the county's own bureau, not a 市盐湖区民政局
    assert split_names("市民政局、盐湖区民政局") == ["市民政局", "盐湖区民政局"]
    assert split_names("市教育局、闻喜县儿童福利院") == ["市教育局", "闻喜县儿童福利院"]
    assert split_names("省科技厅、工业和信息化厅") == ["省科技厅", "省工业和信息化厅"]


def test_a_deadline_cell_is_read_whole():
    from portal.plan_text.deadlines import read_deadline_cell

    assert read_deadline_cell("2022年9月30日") == Deadline("2022年9月30日", date(2022, 9, 30))
    assert read_deadline_cell("2022/9/30").day == date(2022, 9, 30)
    assert read_deadline_cell("2022年9月底前").day == date(2022, 9, 30)
    assert read_deadline_cell("2022年年底").day == date(2022, 12, 31)
    assert read_deadline_cell("2022年第三季度").day == date(2022, 9, 30)
    assert read_deadline_cell("定期（每季度）") == Deadline("定期（每季度）", None)
    assert read_deadline_cell("尽快") is None and read_deadline_cell("9月底") is None
    assert read_deadline_cell("2022年13月1日") is None and read_deadline_cell("2022年2月30日") is None


# Session 10: misses read on plans then held out (guangzhou 2012, 钢城 2021, 南陵 2024), now tuned

GUANGZHOU = ["关于推进人才集聚工程的实施意见", "二、实施六大人才行动计划", "（二）科技创新人才行动计划。围绕加快建设国家创新型城市，实施如下重点项目：",
             "10.“羊城学者”特聘岗位项目。择优设立50个“羊城学者”特聘岗位。（牵头单位：市委组织部，配合单位：各有关单位）",
             "11.121人才梯队项目。重点培养不少于10名站在世界科技前沿的中国科学院、中国工程院院士后备人才。"
             "（牵头单位：市人力资源和社会保障局，配合单位：各区、县级市）",
             "12.博士后培养项目。深入实施博士后培养工程。（牵头单位：市人力资源和社会保障局，配合单位：各区、县级市）",
             "13.珠江科技新星项目。加大对35岁以下青年科技人员扶持培养力度，每年选拔资助不少于100名青年科技人员，连续3年每年给予科研经费资助。"
             "（牵头单位：市科技和信息化局，配合单位：各区、县级市）",
             "14.农村实用人才培养项目。培养造就一批农业生产骨干，培训新型农民达到40000名。（牵头单位：市农业局，配合单位：市科协，各有关区、县级市）"]


def test_an_item_whose_name_starts_with_a_number_is_the_next_item(tmp_path):
    duties = draft(tmp_path, GUANGZHOU)
    assert duties["2.2.11"].title == "121人才梯队项目"
    assert duties["2.2.11"].lead == ["市人力资源和社会保障局"]
    assert duties["2.2.10"].cooperating == ["各有关单位"]  # item 11 no longer runs into item 10
    # a decimal starting a line is no item: 1.5 is not the number the items go on with
    path = tmp_path / "decimal.txt"
    path.write_text("\n".join(["某某方案", "一、重点任务", "1.建设项目。加快建设。（市发改委负责）", "1.5亿元资金由市财政安排。",
                               "2.完善机制。（市财政局负责）"]), encoding="utf-8")
    assert [c.id for c in read_plan(path).clauses if c.id[0].isdigit()] == ["1", "1.1", "1.2"]


def test_a_task_done_every_year_is_recurring_without_a_date(tmp_path):
    duty = draft(tmp_path, GUANGZHOU)["2.2.13"]
    assert (duty.deadline_text, duty.deadline) == ("每年", None)
    assert find_deadline("每季度通报一次工作进展。") == Deadline("每季度", None)
    # a rate or a year's figure is no recurrence; a date comes first
    assert find_deadline("农村低保标准由每人每年3500元提高到3710元。") is None
    assert find_deadline("纳入每年度考核。") is None
    assert find_deadline("每年选拔一批，2022年底前完成。") == Deadline("2022年底前完成", date(2022, 12, 31))


def test_every_concerned_district_and_county_level_city_is_one_name(tmp_path):
    assert split_names("市科协，各有关区、县级市") == ["市科协", "各有关区、县级市"]
    assert draft(tmp_path, GUANGZHOU)["2.2.14"].cooperating == ["市科协", "各有关区、县级市"]


def test_other_departments_after_a_name_close_the_list():
    # 济南市钢城区 2021年重点任务分工方案 1.3
    assert split_names("区司法局等有关部门") == ["区司法局"]
    assert split_names("市民政局等相关单位") == ["市民政局"]
    assert split_names("区政府有关部门") == ["区政府有关部门"]  # a name as written, no 等


def test_a_lead_column_named_lead_responsible_leaves_the_responsible_column_its_own(tmp_path):
    # 南陵县 2024年《政府工作报告》重点工作目标任务分解表: 牵头责任单位 leads, 责任单位 beside it cooperates
    duties = draft(tmp_path, ["2024年《政府工作报告》重点工作目标任务分解表", "",
                              "| 序号 | 目标与任务 | 分管县领导 | 牵头责任单位 | 责任单位 |", "| --- | --- | --- | --- | --- |",
                              "| 81 | 保障芜职院现代物流智造学院秋季开学,支持芜湖科技工程学校发展。 | 陆 明 | 县教育局 | 县各有关单位 |"])
    duty = duties["tb1.1"]
    assert (duty.lead, duty.cooperating) == (["县教育局"], ["县各有关单位"])
