"""Policy-library fixtures: the repo's content loaded, or a private copy of content/ to break."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

STATUTE_MD = """\
《家庭寄养管理办法》

（2014年9月24日民政部令第54号公布　自2014年12月1日起施行）

目　录

第一章　总则
第二章　寄养条件
第三章　附则

第一章　总　则

第一条　为了规范家庭寄养工作，促进寄养儿童身心健康成长，根据有关法律法规，制定本办法。
第二条　本办法所称家庭寄养，是指经过规定的程序，将民政部门监护的儿童委托在符合条件的家庭中养育的照料模式。

第二章　寄养条件

第三条　寄养家庭应当同时具备下列条件：
（一）有儿童福利机构所在地的常住户口和固定住所；
（二）有稳定的经济收入；
（三）家庭成员未患有传染病或者精神疾病。
寄养家庭的主要照料人应当具有完全民事行为能力。
第四条　儿童福利机构应当依照《儿童福利机构管理办法》第八条的规定做好寄养前评估。

第三章　附　则

第五条　本办法自2014年12月1日起施行。
"""
# a made-up statute in the layout regulations come in (章, 条, （一） items, a history line);
# test data only, not the text of any real regulation


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture
def library(policy_library):
    """content/'s policy library loaded (the session's sync, inserted); returns the sync report."""
    return policy_library


@pytest.fixture
def content(tmp_path, policy_library):
    """A private copy of content/, loaded; tests may break its files. The library in the database
    is the session's sync of content/ (`policy_library`), which the copy's files equal."""
    return copy_content(tmp_path)


@pytest.fixture
def staff(auth):
    auth.as_role("staff")
    return auth
