"""The documents a newcomer reads name only what exists (issue 23: the map cannot go stale silently).

For docs/ARCHITECTURE.md, docs/GLOSSARY.md, docs/DECISIONS.md and docs/GAPS.md:

* every repository path (`portal/...`, `templates/...`, `tests/...`, `content/...`, `static/...`,
  `bench/...`, `migrations/...`, `docs/...`) exists — anywhere in the text, backticked or not; a
  `<placeholder>` part matches any name; `tests/x.py::test_y` also needs the test function;
* every backticked dotted Python name whose first part is `portal`, `tests` or a module or package
  directly under `portal/` (`duties.services.board()`, `refdata.units`) resolves to a module or an
  attribute, or is a view's endpoint name (`duties.tick`). Other dotted names (`request.form`) are
  not ours and are left alone.

Text between `<!-- planned -->` and `<!-- /planned -->` describes what does not exist yet and is not
checked; neither are the tables of planned moves and renames, which name future homes (their own tests
check them: below, and tests/test_glossary.py). ARCHITECTURE.md's machine-read tables are checked against the code: the floors (every module
has one), the imports that run upward (exactly those), and the planned moves (the module exists, its
new home does not yet).
"""
from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

from tests.test_import_cycles import modules
from tools.import_graph import floor_of, portal_imports

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHECKED = ("ARCHITECTURE.md", "GLOSSARY.md", "DECISIONS.md", "GAPS.md", "security.md")

PATH_ROOTS = ("portal", "templates", "tests", "content", "static", "bench", "migrations", "docs")
PATH_RE = re.compile(r"(?<![\w/.@<>-])(?:%s)/[\w./*<>@:-]*" % "|".join(PATH_ROOTS))
BACKTICKED = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?:\(.*\))?$")
FILE_SUFFIXES = {"py", "html", "txt", "md", "csv", "tsv", "css", "js", "json", "sqlite", "xlsx", "docx", "toml",
                 "cfg", "ini", "db", "lock", "conf", "gz"}
PORTAL_TOP = {p.stem for p in (ROOT / "portal").iterdir()
              if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}


def _without(text: str, start: str, end: str) -> str:
    return re.sub(re.escape(start) + r".*?" + re.escape(end), "", text, flags=re.S)


def checked_text(name: str) -> str:
    text = (DOCS / name).read_text(encoding="utf-8")
    text = _without(text, "<!-- planned -->", "<!-- /planned -->")
    for table in ("moves", "moved", "renames", "applied"):  # future and past homes: checked by their own tests
        text = _without(text, f"<!-- {table}", f"<!-- /{table} -->")
    return text


def path_problem(token: str) -> str | None:
    """None when the repository path exists (a `<placeholder>` part matches any name)."""
    token = token.rstrip(".,;:)")
    path, _, test = token.partition("::")
    pattern = re.sub(r"<[^<>/]*>", "*", path)
    found = sorted(ROOT.glob(pattern.rstrip("/"))) if "*" in pattern else [ROOT / pattern]
    found = [p for p in found if p.exists()]
    if not found:
        return f"{token}: no such path"
    if test and not any(re.search(rf"\bdef {re.escape(test)}\b", p.read_text(encoding="utf-8")) for p in found
                        if p.is_file()):
        return f"{token}: no test {test} in {path}"
    return None


def resolve(dotted: str) -> bool:
    """A module, an attribute (nested) of the longest importable module prefix, or a dataclass field
    (which has no class attribute when it has a default factory)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if hasattr(obj, attr):
                obj = getattr(obj, attr)
            elif dataclasses.is_dataclass(obj) and attr in {f.name for f in dataclasses.fields(obj)}:
                obj = None
            else:
                return False
        return True
    return False


def name_problem(token: str, endpoints: frozenset[str] = frozenset()) -> str | None:
    m = DOTTED.match(token.strip())
    if not m:
        return None
    dotted = m.group(1)
    first, last = dotted.split(".")[0], dotted.rsplit(".", 1)[1]
    if last in FILE_SUFFIXES:
        return None  # a file name (gunicorn.conf.py), checked as a path when it has a folder
    if dotted in endpoints:
        return None  # a view's endpoint name (duties.tick)
    if first in ("portal", "tests"):
        full = dotted
    elif first in PORTAL_TOP:
        full = f"portal.{dotted}"
    else:
        return None  # not ours (request.form, sa.select)
    return None if resolve(full) else f"`{token}`: {full} does not exist"


def problems_in(text: str, endpoints: frozenset[str] = frozenset()) -> list[str]:
    found = [path_problem(p) for p in PATH_RE.findall(text)]
    for token in BACKTICKED.findall(text):
        found.append(name_problem(token, endpoints))
    return sorted({p for p in found if p})


# ---- the checker itself -------------------------------------------------------------------------

def endpoints_of(app) -> frozenset[str]:
    return frozenset(rule.endpoint for rule in app.url_map.iter_rules())


def test_the_checker_sees_missing_paths_and_names():
    assert problems_in("see `portal.refdata.units` and portal/duties/ledger.py") == []
    assert problems_in("`refdata.county_code_for()` and `tests/test_docs.py::test_the_checker_sees_missing_paths_and_names`") == []
    assert problems_in("`content/training/<NN>-<name>.md`, templates/<domain>/") == []
    assert problems_in("`request.form` and `sa.select` are not ours") == []
    assert problems_in("portal/duties/nothing_here.py") == ["portal/duties/nothing_here.py: no such path"]
    assert problems_in("`portal.refdata.no_such_thing`") == [
        "`portal.refdata.no_such_thing`: portal.refdata.no_such_thing does not exist"]
    assert problems_in("`duties.services.no_board()`") == [
        "`duties.services.no_board()`: portal.duties.services.no_board does not exist"]
    assert problems_in("`duties.tick`", frozenset({"duties.tick"})) == []
    assert problems_in("`duties.tick`") == ["`duties.tick`: portal.duties.tick does not exist"]
    assert problems_in("`tests/test_docs.py::test_nothing`") == ["tests/test_docs.py::test_nothing: no test test_nothing in tests/test_docs.py"]


@pytest.mark.parametrize("name", CHECKED)
def test_every_path_and_name_in_the_document_exists(app, name):
    assert problems_in(checked_text(name), endpoints_of(app)) == []


# ---- ARCHITECTURE.md's tables ---------------------------------------------------------------------

def _table(marker: str, required: bool = True) -> list[list[str]]:
    text = (DOCS / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker}\b.*?-->(.*?)<!-- /{marker} -->", text, flags=re.S)
    if not block and not required:
        return []
    assert block, f"ARCHITECTURE.md has no <!-- {marker} --> table"
    rows = []
    for line in block.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and not set("".join(cells)) <= set("-: ") and cells[0] not in ("floor", "from", "today", "was"):
            rows.append(cells)
    return rows


def floors() -> dict[str, int]:
    """module or package prefix -> floor number, from the floors table."""
    result = {}
    for cells in _table("floors"):
        number = int(cells[0].split()[0])
        for prefix in BACKTICKED.findall(cells[1]):
            result[prefix] = number
    return result


def upward_imports() -> set[tuple[str, str]]:
    mods, table = modules(), floors()
    return {(m, t) for m, path in mods.items() for t in portal_imports(path.read_text(encoding="utf-8"), mods)
            if floor_of(t, table) > floor_of(m, table)}


def test_every_module_has_a_floor():
    table = floors()
    assert len(table) > 20  # the table was read
    assert [m for m in modules() if floor_of(m, table) is None] == []
    assert [p for p in table if p not in modules()] == []  # each row names a real module or package


def test_no_import_runs_upward_except_the_listed_ones():
    listed = {tuple(BACKTICKED.findall(" ".join(cells))) for cells in _table("upward")}  # may be empty
    assert upward_imports() == listed


def test_the_floor_check_would_see_an_upward_import():
    table = floors()
    assert floor_of("portal.models.duties", table) < floor_of("portal.duties.views", table)  # models below domains
    assert floor_of("portal.duties.views", table) == floor_of("portal.duties", table)
    assert floor_of("portal.a.b", {"portal": 7, "portal.a": 2, "portal.a.b": 1}) == 1  # the longest prefix wins
    assert "portal.extensions" in portal_imports((ROOT / "portal" / "models" / "duties.py").read_text(encoding="utf-8"), modules())


def test_planned_moves_start_from_real_modules_and_end_where_nothing_is_yet():
    moves = [BACKTICKED.findall(" ".join(cells)) for cells in _table("moves")]  # empty once all are made
    for today, planned in moves:
        assert (ROOT / today).is_file(), f"{today} is gone: update the floor table and drop its move"
        assert not (ROOT / planned).exists(), f"{planned} exists: the move was made, update ARCHITECTURE.md"


def test_moves_made_left_nothing_behind():
    """The moves tools/restructure.py made: the old path is gone, the new one exists."""
    for was, now in [BACKTICKED.findall(" ".join(cells)) for cells in _table("moved", required=False)]:
        assert not (ROOT / was).exists(), f"{was} is back: run python tools/restructure.py"
        assert (ROOT / now).is_file(), f"{now} is gone: update ARCHITECTURE.md"


# ---- NOTES.md is an index ------------------------------------------------------------------------

def test_notes_is_a_short_index_of_the_split_documents():
    notes = (DOCS / "NOTES.md").read_text(encoding="utf-8")
    assert len(notes.splitlines()) < 40
    for name in ("ARCHITECTURE.md", "GLOSSARY.md", "DECISIONS.md", "GAPS.md", "HISTORY.md"):
        assert (DOCS / name).is_file()
        assert name in notes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("ARCHITECTURE.md", "GLOSSARY.md", "DECISIONS.md", "GAPS.md"):
        assert f"docs/{name}" in readme


def test_every_test_the_security_map_cites_exists():
    """docs/security.md answers an assessor with `tests/…py::test_name` for each requirement: a renamed
    or deleted test must not leave the map citing nothing."""
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    missing = []
    last_file = None
    for path, names in re.findall(r"`(tests/[\w/]+\.py)((?:::\w+(?:\[[^\]`]*\])?)*)", text):
        last_file = ROOT / path
        if not last_file.exists():
            missing.append(path)
            continue
        source = last_file.read_text(encoding="utf-8")
        for name in re.findall(r"::(\w+)", names):
            if not re.search(rf"def {name}\b", source):
                missing.append(f"{path}::{name}")
    assert missing == [], missing
