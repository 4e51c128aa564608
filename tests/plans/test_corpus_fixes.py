"""Drafter fixes found on the tuned part of the plans benchmark (tests/plans/labels, split "tuned"); each
case is a sentence of a tuned plan, quoted."""
from __future__ import annotations

from portal.plan_text.deadlines import find_deadline
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
