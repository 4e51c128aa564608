"""docs/GLOSSARY.md says what is true of the code today (issue 23: one word per concept).

* "The words": every name in the "in code today" column exists; every English word is used in the code
  unless it is marked *(planned)*, and then it is the new name of a row of "Planned renames".
* "Planned renames": each row is accurate today — a dotted retired name resolves (relative to
  `portal`; a view's endpoint counts), the retired word is in every file listed, for a `name` row the
  list is every file of `portal/` and `templates/` that uses it, and a `file` row's old path exists
  while its new one does not yet.
* "Applied renames": the retired word of an applied `name` row is gone from `portal/` and `templates/`;
  the dotted retired name of an applied `column` or `word` row (a model's column, a class's attribute)
  no longer resolves.
"""
from __future__ import annotations

import re
from pathlib import Path

from tests.test_docs import BACKTICKED, PORTAL_TOP, endpoints_of, path_problem, resolve

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "GLOSSARY.md"
KINDS = {"name", "word", "column", "endpoint", "file"}


def code_files() -> dict[str, str]:
    files = sorted([*(ROOT / "portal").rglob("*.py"), *(ROOT / "templates").rglob("*.html")])
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in files}


def uses(text: str, word: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", text) is not None


def files_using(word: str, files: dict[str, str]) -> set[str]:
    return {name for name, text in files.items() if uses(text, word)}


def exists_in_code(token: str, files: dict[str, str], endpoints: frozenset[str]) -> bool:
    token = token.strip()
    if "/" in token:
        return path_problem(token) is None
    token = token.removesuffix("()")
    if "." in token:
        first = token.split(".")[0]
        return token in endpoints or resolve(token if first == "portal" else f"portal.{token}") and (
            first == "portal" or first in PORTAL_TOP)
    return bool(files_using(token, files))


def table(marker: str) -> list[list[str]]:
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker}\b.*?-->(.*?)<!-- /{marker} -->", text, flags=re.S)
    assert block, f"GLOSSARY.md has no <!-- {marker} --> table"
    lines = [line for line in block.group(1).splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines[2:]]  # after the header


def words() -> list[tuple[str, bool, list[str]]]:
    """(English word, planned?, names in code today) per row of the words table."""
    out = []
    for cells in table("words"):
        english = cells[1]
        planned = "*(planned)*" in english
        out.append((english.replace("*(planned)*", "").strip(), planned, BACKTICKED.findall(cells[2])))
    return out


def renames(marker: str = "renames") -> list[dict]:
    out = []
    for cells in table(marker):
        retired, new = BACKTICKED.findall(cells[0])[0], BACKTICKED.findall(cells[1])[0]
        out.append({"retired": retired, "new": new, "kind": cells[2], "where": BACKTICKED.findall(cells[3])})
    return out


def spellings(english: str) -> list[str]:
    parts = re.split(r"[\s-]+", english)
    return [" ".join(parts), "_".join(parts), "-".join(parts), "".join(p.capitalize() for p in parts)]


def retired_word(row: dict) -> str:
    return row["retired"].rsplit(".", 1)[-1]


def rename_problems(rows: list[dict], files: dict[str, str], endpoints: frozenset[str]) -> list[str]:
    problems = []
    for row in rows:
        retired, kind = row["retired"], row["kind"]
        if kind not in KINDS:
            problems.append(f"{retired}: unknown kind {kind}")
        elif kind == "file":
            if not (ROOT / retired).is_file():
                problems.append(f"{retired}: no such file (applied? move the row)")
            if (ROOT / row["new"]).exists():
                problems.append(f"{row['new']}: exists already (applied? move the row)")
            continue
        if "." in retired and not exists_in_code(retired, files, endpoints):
            problems.append(f"{retired}: does not resolve")
        word = retired_word(row)
        missing = [f for f in row["where"] if not uses(files.get(f, ""), word)]
        if missing:
            problems.append(f"{retired}: `{word}` not in {missing}")
        if kind == "name" and set(row["where"]) != files_using(word, files):
            problems.append(f"{retired}: used in {sorted(files_using(word, files))}, listed {row['where']}")
    return problems


def still_resolves(row: dict) -> bool:
    """An applied `column` or `word` row whose dotted retired name (`models.training.Trainee.role`) is
    still there: the word itself may stay elsewhere (an account's role), the attribute may not."""
    retired = row["retired"]
    return (row["kind"] in ("column", "word") and "." in retired and "/" not in retired
            and resolve(retired if retired.startswith("portal.") else f"portal.{retired}"))


def applied_problems(rows: list[dict], files: dict[str, str], endpoints: frozenset[str] = frozenset()) -> list[str]:
    problems = []
    for row in rows:
        if still_resolves(row):
            problems.append(f"{row['retired']} still resolves")
        if row["kind"] == "endpoint" and row["retired"] in endpoints:
            problems.append(f"endpoint {row['retired']} still exists")
        if row["kind"] == "file" and (ROOT / row["retired"]).exists():
            problems.append(f"{row['retired']} still exists")
        if row["kind"] == "name" and files_using(retired_word(row), files):
            problems.append(f"{row['retired']} still used in {sorted(files_using(retired_word(row), files))}")
    return problems


# ---- the checks check --------------------------------------------------------------------------

def test_the_checks_see_a_wrong_row(app):
    files, endpoints = code_files(), endpoints_of(app)
    where = sorted(files_using("county_code_for", files))  # a name no rename touches
    good = {"retired": "refdata.county_code_for", "new": "county_of", "kind": "name", "where": where}
    assert rename_problems([good], files, endpoints) == []
    assert rename_problems([{**good, "where": []}], files, endpoints)  # incomplete
    assert rename_problems([{**good, "retired": "duties.services.no_such"}], files, endpoints)
    assert rename_problems([{**good, "kind": "word", "where": ["portal/home/views.py"]}], files, endpoints)
    assert rename_problems([{"retired": "portal/duties/ledger.py", "new": "portal/core/duty_rules.py", "kind": "file",
                             "where": []}], files, endpoints)
    assert applied_problems([good], files) == [f"refdata.county_code_for still used in {where}"]
    assert applied_problems([{**good, "retired": "auth.login", "kind": "endpoint"}], files, endpoints)
    column = {"retired": "models.training.Trainee.post", "new": "x", "kind": "column", "where": []}
    assert applied_problems([column], files) == ["models.training.Trainee.post still resolves"]
    assert applied_problems([{**column, "retired": "core.training_rules.Coverage.post", "kind": "word"}], files)
    assert applied_problems([{**column, "retired": "models.training.Trainee.role"}], files) == []


# ---- the glossary ------------------------------------------------------------------------------

def test_every_name_the_words_table_gives_exists(app):
    files, endpoints = code_files(), endpoints_of(app)
    rows = words()
    assert len(rows) > 50
    missing = [(english, token) for english, _, tokens in rows for token in tokens
               if not exists_in_code(token, files, endpoints)]
    assert missing == []


def test_every_current_word_is_used_in_the_code():
    text = "\n".join(code_files().values()).lower()
    unused = [english for english, planned, _ in words()
              if not planned and not any(s.lower() in text for s in spellings(english))]
    assert unused == []


def test_every_planned_word_is_what_a_planned_rename_brings():
    new_names = " ".join(row["new"] for row in renames()).lower().replace("_", "").replace("/", " ")
    orphans = [english for english, planned, _ in words()
               if planned and re.sub(r"[\s-]", "", english.lower()) not in new_names]
    assert orphans == []


def test_one_english_word_per_concept():
    english = [w for w, _, _ in words()]
    assert len(english) == len(set(english))


def test_every_planned_rename_is_accurate_today(app):
    rows = renames()  # fewer as renames are applied (tools/restructure.py moves them to "Applied renames")
    assert rename_problems(rows, code_files(), endpoints_of(app)) == []


def test_applied_renames_are_gone(app):
    """A retired name, file or endpoint marked applied is gone (a late branch that brings it back fails
    here; `python tools/restructure.py` renames it again)."""
    assert applied_problems(renames("applied"), code_files(), endpoints_of(app)) == []
