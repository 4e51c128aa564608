"""A statute's 沿革 reads with balanced brackets: the sources of 慈善法, 未成年人保护法 and 收养登记办法 cut the
opening 「（」 of their history and the page showed a lone 「）」 at its end."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.content.importer import balanced_history, convert_text

POLICY = Path(__file__).resolve().parents[2] / "content" / "policy"
DOCUMENTS = sorted(POLICY.glob("*.md"))


def history_of(text: str) -> str:
    """The text of a library document's {#history} block ("" when it has none)."""
    m = re.search(r"^\{#history\}\s*\n(.*?)(?=^\{#|^## |\Z)", text, re.S | re.M)
    return m.group(1) if m else ""


def unbalanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in "（("
        depth -= ch in "）)"
        if depth < 0:
            return True
    return depth != 0


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_every_documents_history_has_balanced_brackets(path):
    history = history_of(path.read_text(encoding="utf-8"))
    assert not unbalanced(history), f"{path.name}: {history.strip()[-80:]}"


def test_the_documents_with_a_history_are_found():
    assert sum(bool(history_of(p.read_text(encoding="utf-8"))) for p in DOCUMENTS) >= 10


def test_the_importer_drops_a_bracket_its_source_left_unmatched():
    assert balanced_history(["2016年3月16日通过", "2023年12月29日修正）"]) == ["2016年3月16日通过", "2023年12月29日修正"]
    assert balanced_history(["（2016年3月16日通过）"]) == ["（2016年3月16日通过）"]
    assert balanced_history(["（2016年3月16日通过", "2023年12月29日修正"]) == ["2016年3月16日通过", "2023年12月29日修正"]
    source = (POLICY / "sources" / "慈善法(2023-12-29).md").read_text(encoding="utf-8")
    conv = convert_text(source, "慈善法(2023-12-29).md", "cishan-fa")
    assert history_of(conv.markdown) and not unbalanced(history_of(conv.markdown))
