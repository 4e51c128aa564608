"""The benchmark's hand labels (tests/plans/labels) spell units one way: as the register holds them, which is
also how the drafter writes them (`split_names`). A department written without its level inside a 、-list
of names that carry one is at the list's level (「省发展改革委、省市场监管局、商务厅」: 省商务厅)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from portal.plan_text.units import BARE_DEPARTMENT, LEVEL_PREFIX

LABELS = Path(__file__).parent / "labels"
RUN_START = re.compile(r"[（(〔【：:，,；;。\n]")


def _plan_text(label: dict) -> str:
    return (LABELS.parent / label["file"]).resolve().read_text(encoding="utf-8")


def _levelled_spelling(name: str, text: str) -> str | None:
    """The level a bare department name takes where the text lists it after a levelled name, else None."""
    for m in re.finditer("、" + re.escape(name), text):
        run = RUN_START.split(text[: m.start()])[-1]
        level = LEVEL_PREFIX.match(run)
        if level:
            return level.group(0) + name
    return None


def test_every_label_spells_units_as_the_register_holds_them():
    wrong = []
    for path in sorted(LABELS.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        text = _plan_text(label)
        for task in label["tasks"]:
            for name in task["lead"] + task["cooperating"]:
                if BARE_DEPARTMENT.match(name) and _levelled_spelling(name, text):
                    wrong.append(f"{label['plan']} {task['clause']}: {name} → {_levelled_spelling(name, text)}")
    assert wrong == []


def test_the_convention_is_the_drafters():
    # sichuan-2022-liutong 1.1, the label this convention changed: the drafter's names are the label's
    from portal.plan_text.units import split_names

    label = json.loads((LABELS / "sichuan-2022-liutong.json").read_text(encoding="utf-8"))
    task = label["tasks"][0]
    assert split_names("省发展改革委、省市场监管局、商务厅、省大数据中心按职责分工负责") == task["lead"] + task["cooperating"]
