"""tools/restructure.py on a tiny tree: moves, imports, re-exports, lazy imports, renames, the documents —
and a second run changes nothing (issue 23: the integrator re-runs it on main after every merge)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("restructure", ROOT / "tools" / "restructure.py")
restructure = sys.modules.setdefault("restructure", importlib.util.module_from_spec(spec))
spec.loader.exec_module(restructure)

ARCHITECTURE = """# map
<!-- floors: read -->
| floor | modules | what |
|---|---|---|
| 1 kernel | `portal.timeutil` `portal.plan` | time |
| 6 domains | `portal.duties` `portal.plans` | domains |
| 7 app | `portal` | app |
<!-- /floors -->

### Imports that run upward today

Three, listed.

<!-- upward: read -->
| from | to |
|---|---|
| `portal.timeutil` | `portal.duties.rules` |
<!-- /upward -->

Today is `portal.timeutil.utcnow`, states are `duties.rules.STATES` (portal/duties/rules.py).

<!-- moves: read -->
| today | planned |
|---|---|
| `portal/timeutil.py` | `portal/core/time.py` |
| `portal/duties/rules.py` | `portal/core/duty_rules.py` |
<!-- /moves -->
"""

GLOSSARY = """# words
<!-- words: read -->
| 中文 | English | in code today | meaning |
|---|---|---|---|
| 台账 | ledger *(planned)* | `duties.services.board_rows` | the list |
<!-- /words -->

<!-- renames: read -->
| retired | new | kind | where | note |
|---|---|---|---|---|
| `duties.services.board_rows` | `read_ledger` | name | `portal/duties/services.py` `templates/duties/board.html` | |
| `templates/duties/board.html` | `templates/duties/ledger.html` | file | — | |
| `rules` | `duty_rules` | word | `templates/duties/board.html` | template variable |
<!-- /renames -->

<!-- applied: read -->
| retired | new | kind | where | note |
|---|---|---|---|---|
<!-- /applied -->
"""

FILES = {
    "portal/__init__.py": "",
    "portal/timeutil.py": "import datetime\n\n\ndef utcnow():\n    return datetime.datetime.now()\n",
    "portal/duties/__init__.py": "",
    "portal/duties/rules.py": 'STATES = ("open", "closed")\n',
    "portal/duties/services.py": (
        '"""Duty services."""\n'
        "from portal.timeutil import utcnow  # noqa: F401 - re-exported\n"
        "\n\n"
        "def board_rows():\n"
        "    from portal.duties import rules\n"
        "\n"
        '    return [f"{s}" for s in rules.STATES]\n'
        "\n\n"
        "def render(render_template):\n"
        '    return render_template("duties/board.html", rules=rules_module(), rows=board_rows())\n'
        "\n\n"
        "def rules_module():\n"
        "    import openpyxl\n"
        "\n"
        "    return openpyxl\n"),
    # a module the script has never seen, from a branch merged later
    "portal/plans/__init__.py": "",
    "portal/plans/drafts.py": ("from portal.duties import rules\n"
                               "from portal.duties.services import board_rows, utcnow\n\n\n"
                               "def draft():\n"
                               "    return rules.STATES, board_rows(), utcnow()\n"),
    "templates/duties/board.html": ('<table data-testid="rules">{% for s in rules.STATES %}{{ s }}{% endfor %}</table>\n'
                                    "{# board_rows #}\n"),
    "docs/ARCHITECTURE.md": ARCHITECTURE,
    "docs/GLOSSARY.md": GLOSSARY,
}


def make_tree(root: Path) -> None:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def test_the_script_restructures_a_tree_and_a_second_run_changes_nothing(tmp_path):
    make_tree(tmp_path)
    changed = restructure.run(tmp_path, ruff=False)
    assert "portal/plans/drafts.py" in changed

    # moves, with the new package made
    assert not (tmp_path / "portal/timeutil.py").exists() and (tmp_path / "portal/core/time.py").is_file()
    assert (tmp_path / "portal/core/duty_rules.py").is_file() and (tmp_path / "portal/core/__init__.py").is_file()
    assert (tmp_path / "templates/duties/ledger.html").is_file()

    services = (tmp_path / "portal/duties/services.py").read_text(encoding="utf-8")
    # the lazy import moved to the top under its new name; the heavy library stays, commented
    assert "from portal.core import duty_rules\n" in services.split("def ")[0]
    assert 'f"{s}" for s in duty_rules.STATES' in services
    assert "import openpyxl  # lazy: heavy library" in services
    # the renamed function, the template's new name, the template variable
    assert "def read_ledger():" in services and '"duties/ledger.html", duty_rules=' in services
    # the re-export went: nobody takes utcnow from services any more
    assert "utcnow" not in services

    drafts = (tmp_path / "portal/plans/drafts.py").read_text(encoding="utf-8")
    assert "from portal.core import duty_rules" in drafts and "duty_rules.STATES" in drafts
    assert "from portal.core.time import utcnow" in drafts
    assert "from portal.duties.services import read_ledger" in drafts

    template = (tmp_path / "templates/duties/ledger.html").read_text(encoding="utf-8")
    assert "{% for s in duty_rules.STATES %}" in template
    assert 'data-testid="rules"' in template  # a common word renames only inside {{ }} and {% %}
    assert "{# read_ledger #}" in template  # a name goes everywhere

    architecture = (tmp_path / "docs/ARCHITECTURE.md").read_text(encoding="utf-8")
    assert "| 1 kernel | `portal.core` `portal.plan` |" in architecture
    assert "`portal.core.time.utcnow`" in architecture and "`core.duty_rules.STATES`" in architecture
    assert "portal/core/duty_rules.py" in architecture
    assert "| `portal/timeutil.py` | `portal/core/time.py` |" in architecture.split("<!-- moved")[1]
    assert "| `portal/timeutil.py` |" not in architecture.split("<!-- moved")[0]
    assert "None: every import runs down or sideways" in architecture

    glossary = (tmp_path / "docs/GLOSSARY.md").read_text(encoding="utf-8")
    applied = glossary.split("<!-- applied")[1]
    assert "| `duties.services.board_rows` | `read_ledger` |" in applied  # the retired name is kept there
    assert "| ledger | `duties.services.read_ledger` |" in glossary  # no longer planned

    assert restructure.run(tmp_path, ruff=False) == set()


def test_a_late_import_of_a_moved_module_is_fixed_by_another_run(tmp_path):
    make_tree(tmp_path)
    restructure.run(tmp_path, ruff=False)
    late = tmp_path / "portal/plans/late.py"
    late.write_text("from portal.timeutil import utcnow\nimport portal.duties.rules as r\n", encoding="utf-8")
    assert restructure.run(tmp_path, ruff=False) == {"portal/plans/late.py"}
    assert late.read_text(encoding="utf-8") == "from portal.core.time import utcnow\nimport portal.core.duty_rules as r\n"
