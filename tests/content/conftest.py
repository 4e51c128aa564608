"""The shipped 74号 decomposition as the content tests read it (one home for the fixture)."""
from __future__ import annotations

from pathlib import Path

import pytest

from portal.content.duties_file import parse_duties
from portal.content.policy_doc import read_document

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def shipped_plan():
    """(the duties of content/duties.txt, ``source(cid)``: a clause's text with its finer anchors)."""
    duties, _, problems = parse_duties((ROOT / "content" / "duties.txt").read_bytes(), "duties.txt")
    assert problems == []
    clauses = read_document(ROOT / "content" / "policy" / "yunmin-2021-74.md").clauses
    texts = {c.id: c.text for c in clauses}

    def source(cid: str) -> str:
        return "".join(t for k, t in texts.items() if k == cid or k.startswith(cid + "."))

    return duties, source
