"""A deterministic corpus of statute-style documents for the search benchmark.

Documents read like the regulations the library will import: a title (《…办法》/《…规定》/
《…实施意见》), a 文号, chapters (第一章 总则 …) and articles (第一条 …) whose sentences are
built from real phrases of child-welfare, civil-affairs and social-assistance policy. The same
seed gives the same corpus, so runs compare.
"""
from __future__ import annotations

import random
from collections.abc import Iterator

REGIONS = ["", "山西省", "运城市", "太原市", "大同市", "临汾市", "晋中市", "长治市", "吕梁市", "忻州市",
           "阳泉市", "晋城市", "朔州市", "河北省", "河南省", "陕西省", "盐湖区", "永济市", "闻喜县", "新绛县"]
SUBJECTS = ["儿童福利机构", "未成年人救助保护机构", "家庭寄养", "孤儿基本生活保障", "困境儿童保障",
            "农村留守儿童关爱保护", "残疾儿童康复救助", "社会散居孤儿", "儿童督导员和儿童主任",
            "特困人员救助供养", "最低生活保障", "临时救助", "养老机构", "社会工作服务",
            "志愿服务", "慈善组织", "收养登记", "殡葬管理", "社会组织登记", "流浪乞讨人员救助",
            "未成年人保护工作站", "婚姻登记", "医疗救助", "学生资助", "特殊教育"]
KINDS = ["管理办法", "实施办法", "暂行办法", "规定", "实施意见", "工作规程", "实施细则", "服务规范"]
ISSUERS = ["晋民发", "运民发", "民发", "晋政办发", "运政办发", "晋教发", "晋财社", "晋人社厅发",
           "晋卫发", "晋医保发", "晋残联发", "国办发", "民函"]
CHAPTERS = ["总则", "职责分工", "申请和审批", "服务内容", "保障措施", "监督管理", "资金管理",
            "档案管理", "安全管理", "人员配备", "评估和退出", "法律责任", "附则"]
ACTORS = ["县级以上人民政府民政部门", "民政部门", "儿童福利机构", "未成年人救助保护机构", "市福利院",
          "乡镇人民政府", "街道办事处", "村（居）民委员会", "儿童督导员", "儿童主任", "公安机关",
          "公安部门", "教育行政部门", "卫生健康部门", "医疗保障部门", "财政部门", "人力资源社会保障部门",
          "住房城乡建设部门", "应急管理部门", "市场监管部门", "残疾人联合会", "共青团组织", "妇女联合会",
          "社会工作服务机构", "慈善组织", "寄养家庭", "监护人", "养育人员", "医疗机构", "学校"]
MODALS = ["应当", "要", "可以", "负责", "应当及时", "应当依法", "要切实", "应当按照规定", "应当定期", "不得"]
ACTIONS = ["做好", "加强", "落实", "建立健全", "组织开展", "督促指导", "统筹协调", "规范", "完善",
           "配合做好", "审核", "登记", "公示", "核实", "评估", "开展", "提供", "保障", "办理", "报送"]
OBJECTS = ["儿童收留抚养工作", "家庭寄养服务", "孤儿基本生活费发放", "困境儿童信息摸底排查",
           "留守儿童关爱服务", "儿童户籍登记和户口迁移", "儿童入学和学籍管理", "残疾儿童康复训练",
           "儿童医疗救助", "城乡居民基本医疗保险参保", "儿童福利机构规范化建设", "消防安全检查",
           "食品安全管理", "突发事件应急预案演练", "儿童档案管理", "儿童财产管理", "社会工作专业服务",
           "心理辅导和情感慰藉", "监护评估和个案会商", "儿童成年安置", "就业帮扶和职业技能培训",
           "住房保障", "临时监护和临时照料", "送教上门和远程教育", "业务培训", "资金预算和经费管理",
           "信息化建设", "风险防控", "安全隐患排查整治", "疫情防控", "政策宣讲", "服务质量评估",
           "志愿服务活动", "人员配备和岗位设置", "工作台账", "绩效考核", "监督检查"]
PURPOSES = ["确保儿童合法权益不受侵害", "保障儿童基本生活", "提高服务质量和水平", "促进儿童身心健康成长",
            "防止发生安全事故", "确保资金安全和规范使用", "做到应保尽保", "实现动态管理",
            "确保工作有序推进", "提升专业服务能力", "形成工作合力", "做到全程留痕"]
CONDITIONS = ["对查找不到生父母或者其他监护人的儿童", "对符合条件的困境儿童", "对具备独立生活能力的",
              "对需要长期监护和抚养的儿童", "发现未成年人处于无人照料状态的", "对不符合入院规定的",
              "寄养儿童需要就医的", "对适龄残疾儿童", "儿童年满十八周岁的", "发生突发事件时",
              "对未按规定履行职责的", "申请人对审核结果有异议的"]
TIMES = ["每年", "每季度", "每月", "在收到申请之日起十五个工作日内", "在三个工作日内", "每半年"]
DEADLINE = ["并报上级民政部门备案", "并向社会公布", "并建立工作台账", "并将结果书面告知申请人",
            "并纳入年度考核", "并按程序报批", "并及时录入信息系统", "并定期开展检查"]


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    h, r = divmod(n, 100)
    rest = "" if r == 0 else ("零" + _cn(r) if r < 10 else ("一" + _cn(r) if r < 20 else _cn(r)))
    return digits[h] + "百" + rest


def _sentence(rnd: random.Random) -> str:
    form = rnd.randrange(5)
    a, m, v, o = rnd.choice(ACTORS), rnd.choice(MODALS), rnd.choice(ACTIONS), rnd.choice(OBJECTS)
    if form == 0:
        return f"{a}{m}{v}{o}，{rnd.choice(PURPOSES)}。"
    if form == 1:
        return f"{rnd.choice(CONDITIONS)}，{a}{m}{v}{o}，{rnd.choice(DEADLINE)}。"
    if form == 2:
        return f"{a}{rnd.choice(TIMES)}{v}{o}和{rnd.choice(OBJECTS)}，{rnd.choice(DEADLINE)}。"
    if form == 3:
        b = rnd.choice(ACTORS)
        return f"{a}会同{b}{v}{o}，{rnd.choice(PURPOSES)}。"
    return f"{a}{m}{v}{o}、{rnd.choice(OBJECTS)}等工作。"


def documents(clauses: int = 50_000, seed: int = 20211230) -> Iterator[dict]:
    """Yield records (the engine's shape) until ``clauses`` clauses have been produced."""
    rnd = random.Random(seed)
    made = doc_no = 0
    while made < clauses:
        doc_no += 1
        region, subject, kind = rnd.choice(REGIONS), rnd.choice(SUBJECTS), rnd.choice(KINDS)
        title = f"{region}{subject}{kind}"
        year = rnd.randrange(2012, 2025)
        number = f"{rnd.choice(ISSUERS)}〔{year}〕{rnd.randrange(1, 200)}号"
        doc_id = f"gen-{doc_no:05d}"
        n_articles = min(rnd.randrange(20, 160), clauses - made)
        chapters = rnd.sample(CHAPTERS[1:-1], k=min(len(CHAPTERS) - 2, max(1, n_articles // 15)))
        chapters = ["总则"] + chapters + ["附则"]
        per = max(1, n_articles // len(chapters))
        status = rnd.choice(["现行有效", "现行有效", "现行有效", "已修订", "已废止"])
        for i in range(1, n_articles + 1):
            chapter = min(len(chapters), (i - 1) // per + 1)
            text = "".join(_sentence(rnd) for _ in range(rnd.randrange(2, 5)))
            if i == 1:
                text = (f"为了{rnd.choice(PURPOSES)}，根据《中华人民共和国未成年人保护法》和"
                        f"《{rnd.choice(SUBJECTS)}{rnd.choice(KINDS)}》（{number}），结合本地实际，制定本{kind[-2:]}。")
            label = f"第{_cn(i)}条"
            yield {
                "doc_id": doc_id, "doc_title": title, "doc_number": number,
                "clause_id": f"a{i}", "label": label,
                "title": f"第{_cn(chapter)}章 {chapters[chapter - 1]}",
                "text": f"{label} {text}",
                "url": f"/policy/{doc_id}#a{i}", "validity": status,
            }
            made += 1
            if made >= clauses:
                return


def mixed_queries() -> list[str]:
    """Words, phrases, questions, 文号 and citations — what staff type."""
    return [
        "家庭寄养", "户口迁移", "儿童督导员", "食品安全", "应急预案", "留守儿童", "医疗救助",
        "残疾儿童 康复", "孤儿 基本生活费", "消防安全检查", "社会工作", "资金 预算",
        "\"家庭寄养服务\"", "\"儿童档案管理\"", "\"临时监护\"", "\"户口迁移\"",
        "户口怎么迁", "孤儿怎么申请基本生活费", "留守儿童有哪些关爱服务", "弃婴怎么办",
        "残疾儿童如何康复救助", "儿童主任要做什么", "福利院 看病", "公安 落户",
        "晋民发〔2021〕42号", "运民发2021 74号", "三（一）1", "第八条 家庭寄养",
    ]
