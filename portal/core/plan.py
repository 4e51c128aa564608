"""The plan this portal implements, named once: 运民发〔2021〕74号 and its document id."""
from __future__ import annotations

from pathlib import Path

PLAN_ID = "yunmin-2021-74"  # the 方案's doc_id in the library and in URLs (/policy/yunmin-2021-74/…)
PLAN_NUMBER = "运民发〔2021〕74号"  # its 文号 (called `number` in code, as on PolicyDocument)
PLAN_FILE = Path("policy") / f"{PLAN_ID}.md"  # relative to the content folder
