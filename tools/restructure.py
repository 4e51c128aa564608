#!/usr/bin/env python3
"""Restructure the house (issue 23): one re-runnable, idempotent script instead of a hand-made move.

Run it from the repository root, on a clean tree, after every other branch is merged:

    python tools/restructure.py     # rewrites the tree (git mv for moves), prints what it changed
    python tools/restructure.py     # a second run changes nothing (check: git status --short is empty)

The two documents stay the one source of what to do:

* docs/ARCHITECTURE.md, table `<!-- moves -->`: a module moves (`portal/duties/rules.py` →
  `portal/core/duty_rules.py`). A done move leaves the table for `<!-- moved -->`, which the script
  keeps reading, so a later run also fixes a straggler that still uses the old path.
* docs/GLOSSARY.md, table `<!-- renames -->`: renames of kind `file`, `name`, `endpoint` and `word`.
  Done rows go to `<!-- applied -->` (also kept reading; `word` rows only while planned, since a
  common word may come back legitimately). `column` rows need a migration and are left planned, and
  so are the rows in SKIPPED below (with the reason).

Steps, each a pure text rewrite of the files it finds (new modules it has never seen included):

1. moves: `git mv` every planned file whose old path exists and new path does not; new packages
   get an `__init__.py`;
2. references: imports (`from portal.duties import rules` → `from portal.core import duty_rules`,
   and the local name follows when it is free), dotted names (`portal.timeutil.utcnow`), paths
   (`portal/forms_util.py`), template names (`"duties/board.html"`), and in docs/*.md the backticked
   names relative to `portal` (`duties.rules.STATE_LABELS`);
3. renames from the glossary, with word boundaries: `name` everywhere in portal/ and templates/
   (the glossary's test demands it), in tests/ and bench/ only in files that take the name from
   portal (a bench's own `Report` class stays), in docs only inside backticks; `endpoint` renames
   the view function and the endpoint strings; `word` only in the files its row lists, on code
   tokens (not strings or comments) and in templates;
4. re-exports: `from M import n`, where M only imports n from D, becomes `from D import n`; M's
   import of n goes when nothing uses it there any more (package `__init__`s are an API and stay);
5. function-level imports move to the module top, unless they guard a heavy library, would import
   the app factory or the module's own package (a real cycle at import time), clash with a module
   level name, or import a name tests replace with monkeypatch: those stay, with a `# lazy:` comment
   saying which;
6. the documents: the floor table (moved modules collapse into their new package), the upward
   imports (recomputed, as tests/test_docs.py does), the moves and renames tables (planned → done),
   the glossary's words (*(planned)* dropped once no planned row brings the word);
7. `ruff check --select I --fix` sorts the imports it touched (skipped if ruff is not installed).

It only uses the standard library (ast, tokenize, re). docs/HISTORY.md is never touched (history keeps
the old names).
"""
from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling import_graph, however this file is loaded
from import_graph import floor_of, portal_imports  # noqa: E402

# Rows of the glossary the script does not apply, by (new word, kind), and why (the row stays planned).
# (Empty since session 10: `part` and `timeline` were applied by hand — `?role=` and the API's key stay.)
SKIPPED: dict[tuple[str, str], str] = {}
# Third-party libraries heavy enough to load only when used (a function-level import stays for them).
HEAVY = {"openpyxl", "docx", "reportlab", "jieba", "rjieba", "pypinyin", "segno", "opencc", "pypdf", "playwright",
         "markdown", "nh3", "cryptography", "defusedxml", "psycopg", "gunicorn", "pyotp", "hypothesis", "alembic",
         "flask_migrate", "PIL", "lxml"}
NEW_PACKAGE_DOCS = {
    "portal/core": "The shared vocabulary every domain uses, pure: duty and training rules, roles, labels, time, the plan.",
    "portal/web": "Request glue shared by every blueprint: access, errors, filters, htmx, inputs, navigation, forms, paging.",
}
DOCS_SKIPPED = {"HISTORY.md"}
NEVER_REWRITTEN = {"tests/test_restructure.py"}  # its fixture spells the old names on purpose


# ---- files --------------------------------------------------------------------------------------

@dataclass
class Tree:
    root: Path
    changed: set[str] = field(default_factory=set)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        if self.read(rel) != text:
            self.changed.add(rel)
            (self.root / rel).write_text(text, encoding="utf-8")

    def files(self, *patterns: str) -> list[str]:
        found = set()
        for pattern in patterns:
            found |= {self.rel(p) for p in self.root.glob(pattern) if p.is_file()}
        return sorted(f for f in found if "/.venv/" not in f and "__pycache__" not in f and f not in NEVER_REWRITTEN)

    def python(self) -> list[str]:
        return self.files("portal/**/*.py", "tests/**/*.py", "bench/**/*.py", "migrations/**/*.py", "wsgi.py",
                          "gunicorn.conf.py")

    def templates(self) -> list[str]:
        return self.files("templates/**/*.html", "templates/**/*.txt")

    def docs(self) -> list[str]:
        return [d for d in self.files("docs/*.md", "README.md") if Path(d).name not in DOCS_SKIPPED]

    def git_mv(self, old: str, new: str) -> None:
        self.changed |= {old, new}
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", old], cwd=self.root,
                                 capture_output=True).returncode == 0
        if tracked:
            subprocess.run(["git", "mv", old, new], cwd=self.root, check=True)
        else:
            os.rename(self.root / old, self.root / new)


# ---- the documents' tables ----------------------------------------------------------------------

BACKTICKED = re.compile(r"`([^`\n]+)`")


def table_span(text: str, marker: str) -> tuple[int, int] | None:
    """Start and end of the body of `<!-- marker ... -->` … `<!-- /marker -->`."""
    m = re.search(rf"<!-- {marker}\b[^>]*-->\n?(.*?)<!-- /{marker} -->", text, flags=re.S)
    return (m.start(1), m.end(1)) if m else None


def table_rows(text: str, marker: str) -> tuple[list[str], list[list[str]]]:
    """(header lines, rows as cells) of a markdown table inside a marker block."""
    span = table_span(text, marker)
    if not span:
        return [], []
    lines = [line for line in text[span[0]:span[1]].splitlines() if line.startswith("|")]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines[2:]]
    return lines[:2], rows


def replace_table(text: str, marker: str, header: list[str], rows: list[list[str]]) -> str:
    body = "\n".join([*header, *("| " + " | ".join(r) + " |" for r in rows)]) + "\n"
    span = table_span(text, marker)
    return text[:span[0]] + body + text[span[1]:]


def ticked(cell: str) -> list[str]:
    return BACKTICKED.findall(cell)


@dataclass
class Rename:
    retired: str
    new: str
    kind: str
    where: list[str]
    cells: list[str]
    applied: bool

    @property
    def word(self) -> str:
        return self.retired.rsplit(".", 1)[-1]


def read_plan(tree: Tree) -> tuple[list[tuple[str, str]], list[Rename]]:
    arch, glossary = tree.read("docs/ARCHITECTURE.md"), tree.read("docs/GLOSSARY.md")
    moves = []
    for marker in ("moves", "moved"):
        for cells in table_rows(arch, marker)[1]:
            names = ticked(" ".join(cells[:2]))
            if len(names) == 2:
                moves.append((names[0], names[1]))
    renames = []
    for marker, applied in (("renames", False), ("applied", True)):
        for cells in table_rows(glossary, marker)[1]:
            if len(cells) < 4 or not ticked(cells[0]):
                continue
            renames.append(Rename(ticked(cells[0])[0], ticked(cells[1])[0], cells[2], ticked(cells[3]), cells, applied))
    moves += [(r.retired, r.new) for r in renames if r.kind == "file"]
    return moves, renames


# ---- step 1: moves ------------------------------------------------------------------------------

def module_of(path: str) -> str | None:
    if not path.endswith(".py"):
        return None
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def make_moves(tree: Tree, moves: list[tuple[str, str]]) -> None:
    for old, new in moves:
        if not (tree.root / old).is_file() or (tree.root / new).exists():
            continue
        package = Path(new).parent.as_posix()
        if new.endswith(".py") and not (tree.root / package / "__init__.py").exists():
            doc = NEW_PACKAGE_DOCS.get(package, f"The {Path(package).name} package.")
            (tree.root / package).mkdir(parents=True, exist_ok=True)
            (tree.root / package / "__init__.py").write_text(f'"""{doc}"""\n', encoding="utf-8")
            tree.changed.add(f"{package}/__init__.py")
        tree.git_mv(old, new)


# ---- step 2: references to moved modules --------------------------------------------------------

def offsets(text: str) -> list[int]:
    """Offset of the start of each line (1-based line numbers index it)."""
    starts = [0, 0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def char_col(text_line: str, byte_col: int) -> int:
    return len(text_line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def node_span(text: str, starts: list[int], node: ast.AST) -> tuple[int, int]:
    lines = text.splitlines(keepends=True)
    start = starts[node.lineno] + char_col(lines[node.lineno - 1], node.col_offset)
    end = starts[node.end_lineno] + char_col(lines[node.end_lineno - 1], node.end_col_offset)
    return start, end


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


FSTRING = re.compile(r"^[rRbB]?[fF][rR]?['\"]")
FIELD_NAME = re.compile(r"(?<![\w'\"])([A-Za-z_]\w*)")


def name_tokens(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, previous significant token) for every NAME token of Python source, names in
    f-string fields included (Python 3.11 tokenizes an f-string as one string)."""
    starts = offsets(text)
    out, previous = [], ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            begin = starts[tok.start[0]] + tok.start[1]
            if tok.type == tokenize.NAME:
                out.append((begin, starts[tok.end[0]] + tok.end[1], tok.string, previous))
            elif tok.type == tokenize.STRING and FSTRING.match(tok.string):
                out += fstring_names(tok.string, begin)
            if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                previous = tok.string
    except (tokenize.TokenError, SyntaxError):
        return []
    return out


def fstring_names(string: str, begin: int) -> list[tuple[int, int, str, str]]:
    out = []
    for field_ in re.finditer(r"(?<!\{)\{([^{}]*)\}", string):
        code = re.split(r"![rsa]|:(?![^\[(]*[\])])", field_.group(1))[0]  # without conversion and format spec
        for m in FIELD_NAME.finditer(code):
            at = begin + field_.start(1) + m.start(1)
            out.append((at, at + len(m.group(1)), m.group(1), "." if code[:m.start(1)].rstrip().endswith(".") else ""))
    return out


def map_module(name: str, modmap: dict[str, str]) -> str:
    """A dotted name with its longest moved module prefix replaced."""
    for old in sorted(modmap, key=len, reverse=True):
        if name == old or name.startswith(old + "."):
            return modmap[old] + name[len(old):]
    return name


def import_text(indent: str, groups: dict[str, list[tuple[str, str | None]]]) -> str:
    lines = []
    for module, names in groups.items():
        listed = ", ".join(f"{n} as {a}" if a and a != n else n for n, a in names)
        lines.append(f"from {module} import {listed}")
    return ("\n" + indent).join(lines)


def inner_comment(statement: str) -> str:
    """A comment inside a parenthesised import (`# noqa: F401`) survives its rewrite on one line."""
    found = re.findall(r"#[^\n]*", statement)
    return "  " + found[0].strip() if found else ""


def bound_by_imports(tree_: ast.Module) -> dict[str, set[str]]:
    """binding name -> the dotted things imported under it anywhere in the file."""
    bound: dict[str, set[str]] = {}
    for node in ast.walk(tree_):
        if isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                bound.setdefault(a.asname or a.name, set()).add(f"{node.module}.{a.name}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                bound.setdefault(a.asname or a.name.split(".")[0], set()).add(a.name)
    return bound


def rewrite_imports(text: str, modmap: dict[str, str], redirect=None) -> str:
    """Rewrite `from X import ...` statements for moved modules (and re-exported names, via
    `redirect(module, name) -> module | None`); the local name of a moved module follows its new
    name when that name is free in the file."""
    try:
        parsed = ast.parse(text)
    except SyntaxError:
        return text
    starts, lines = offsets(text), text.splitlines(keepends=True)
    bound = bound_by_imports(parsed)
    names_in_file = {t[2] for t in name_tokens(text)}
    renames: dict[str, str] = {}
    edits, spans = [], []
    for node in ast.walk(parsed):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("portal")):
            continue
        groups: dict[str, list[tuple[str, str | None]]] = {}
        changed = False
        for a in node.names:
            full = f"{node.module}.{a.name}"
            if full in modmap:  # a moved module imported from its package
                parent, base = modmap[full].rsplit(".", 1)
                local = a.asname or a.name
                if a.asname or base == a.name:
                    entry = (base, a.asname)
                elif (len(bound.get(a.name, ())) == 1 and base not in names_in_file
                      and base not in sys.stdlib_module_names and renames.get(a.name, base) == base):
                    entry, renames[local] = (base, None), base
                else:
                    entry = (base, a.name)
                changed = True
            else:
                parent = map_module(node.module, modmap)
                target = redirect(parent, a.name) if redirect else None
                if target:
                    parent = target
                changed |= parent != node.module
                entry = (a.name, a.asname)
            groups.setdefault(parent, []).append(entry)
        if changed:
            start, end = node_span(text, starts, node)
            indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
            edits.append((start, end, import_text(indent, groups) + inner_comment(text[start:end])))
            spans.append((start, end))
    for start, end, name, previous in name_tokens(text):
        if name in renames and previous != "." and not any(s <= start < e for s, e in spans):
            edits.append((start, end, renames[name]))
    return apply_edits(text, edits)


def dotted_pattern(name: str) -> re.Pattern:
    return re.compile(r"(?<![\w.])" + re.escape(name) + r"(?!\w)")


FILE_NAME = re.compile(r"^[\w.]+\.(?:py|html|md|txt|csv|toml|cfg|json|xlsx|docx)$")


def rewrite_references(text: str, moves: list[tuple[str, str]], modmap: dict[str, str], is_doc: bool) -> str:
    """Dotted module names, repository paths and template names of moved files."""
    for old, new in sorted(modmap.items(), key=lambda kv: -len(kv[0])):
        text = dotted_pattern(old).sub(new, text)
    for old, new in moves:
        text = re.sub(r"(?<![\w/.])" + re.escape(old) + r"(?![\w/])", new, text)
        if old.startswith("templates/"):
            old_name, new_name = old.removeprefix("templates/"), new.removeprefix("templates/")
            text = re.sub(r"""(?<=["'])""" + re.escape(old_name) + r"""(?=["'])""", new_name, text)
    if is_doc:  # backticked names relative to `portal` (`duties.rules.STATE_LABELS`)
        relative = {o.removeprefix("portal."): n.removeprefix("portal.") for o, n in modmap.items()}

        def relative_token(m: re.Match) -> str:
            token = m.group(1)
            if FILE_NAME.match(token):
                return m.group(0)  # `forms.py` is any domain's forms module
            for old in sorted(relative, key=len, reverse=True):
                # a bare word (`plan`, the fixture) is not the module; `duties.rules` is
                if (token == old and "." in old) or token.startswith((old + ".", old + "(")):
                    return f"`{relative[old]}{token[len(old):]}`"
            return m.group(0)
        text = BACKTICKED.sub(relative_token, text)
    return text


# ---- step 3: renames ------------------------------------------------------------------------------

def word_pattern(word: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")


def takes_from_portal(text: str, word: str) -> bool:
    """Does a test or bench file use `word` as portal's name (imported from portal, an attribute, an
    endpoint string)? A file with its own `Report` or `plan_rows` is left alone."""
    w = re.escape(word)
    return bool(re.search(rf"from portal[\w.]*\s+import\s+\(?[^)]*?(?<!\w){w}(?!\w)", text, flags=re.S)
                or re.search(rf"\.{w}(?!\w)", text)
                or re.search(rf"""["'](?:\w+\.)?{w}["']""", text))


def rename_tokens(text: str, word: str, new: str) -> str:
    """Python: rename NAME tokens only (strings and comments keep the word), and never a part of an
    imported module's dotted path (`from portal.core.plan import ...` when `plan` is the word)."""
    starts, paths = offsets(text), []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            start, end = node_span(text, starts, node)
            cut = re.search(r"\bimport\b", text[start:end]) if isinstance(node, ast.ImportFrom) else None
            paths.append((start, start + cut.start() if cut else end))
    return apply_edits(text, [(s, e, new) for s, e, name, _ in name_tokens(text)
                              if name == word and not any(a <= s < b for a, b in paths)])


def rename_in_jinja(text: str, old: str, new: str) -> str:
    """Templates: a common word is renamed inside `{{ }}` and `{% %}` only (`data-testid="cohort-rules"`
    and the page's text keep it)."""
    pattern = word_pattern(old)
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: pattern.sub(new, m.group(0)), text, flags=re.S)


def rename_in_docs(text: str, old: str, new: str) -> str:
    """Inside backticks only: prose keeps its English."""
    pattern = word_pattern(old)
    return BACKTICKED.sub(lambda m: "`" + pattern.sub(new, m.group(1)) + "`", text)


def protected(text: str, markers: tuple[str, ...], change) -> str:
    """Apply `change` to the text outside the given tables (the glossary's rename tables keep their
    retired names)."""
    pieces, pos = [], 0
    spans = sorted(s for m in markers if (s := table_span(text, m)))
    for start, end in spans:
        pieces += [change(text[pos:start]), text[start:end]]
        pos = end
    return "".join(pieces) + change(text[pos:])


def docs_rename(tree: Tree, pairs: list[tuple[str, str]]) -> None:
    for rel in tree.docs():
        text = tree.read(rel)
        for old, new in pairs:
            text = protected(text, ("renames", "applied", "moves", "moved"), lambda t, o=old, n=new: rename_in_docs(t, o, n))
        tree.write(rel, text)


def endpoint_edits(tree: Tree, row: Rename, path_map) -> None:
    blueprint, old = row.retired.split(".", 1)
    new = row.new.split(".", 1)[1]
    for rel in [*tree.python(), *tree.templates(), *tree.docs()]:
        text = tree.read(rel)
        here = rel.startswith((f"portal/{blueprint}/", f"templates/{blueprint}/"))
        text = protected(text, ("renames", "applied"), lambda t: re.sub(
            rf"""(["'`]){re.escape(blueprint)}\.{re.escape(old)}(["'`])""", rf"\1{blueprint}.{new}\2", t))
        if here:
            text = re.sub(rf"""(["'])\.{re.escape(old)}(["'])""", rf"\1.{new}\2", text)
        if rel in map(path_map, row.where) and rel.endswith(".py"):
            text = re.sub(rf"(?m)^def {re.escape(old)}\(", f"def {new}(", text)
        tree.write(rel, text)
    views = [module_of(path_map(w)).removeprefix("portal.") for w in row.where if w.endswith(".py")]
    docs_rename(tree, [(f"{v}.{old}", f"{v}.{new}") for v in views])


def owner_name(row: Rename, modmap: dict[str, str]) -> str:
    """The last name before the renamed word, after the moves (`training.rules.X` → `training_rules`)."""
    return map_module("portal." + row.retired.rsplit(".", 1)[0], modmap).rsplit(".", 1)[-1]


def rename_name(tree: Tree, old: str, new: str) -> None:
    """A name: everywhere in portal/ and templates/, and in the files that import it from portal."""
    for rel in [*tree.python(), *tree.templates()]:
        text = tree.read(rel)
        if rel.startswith(("portal/", "templates/")) or takes_from_portal(text, old):
            tree.write(rel, word_pattern(old).sub(new, text))


def rename_word(tree: Tree, row: Rename, old: str, new: str, path_map, modmap: dict[str, str]) -> list[str]:
    """A word: where the row says the meaning lives, and in the files that import it from its
    module; returns those importing files."""
    owner = map_module("portal." + row.retired.rsplit(".", 1)[0], modmap) if "." in row.retired else None
    importing = re.compile(rf"from {re.escape(owner)}\s+import\s+\(?[^)]*?(?<!\w){re.escape(old)}(?!\w)") if owner else None
    importers = [rel for rel in tree.python() if importing and importing.search(tree.read(rel))]
    folders = {Path(path_map(w)).parent.as_posix() + "/" for w in row.where if w.startswith("templates/")}
    siblings = [] if "." in row.retired else [t for t in tree.templates() if Path(t).parent.as_posix() + "/" in folders]
    # a template variable's row covers every template in the folders it lists
    for rel in dict.fromkeys([*map(path_map, row.where), *importers, *siblings]):
        if not (tree.root / rel).is_file():
            continue
        text = tree.read(rel)
        tree.write(rel, rename_tokens(text, old, new) if rel.endswith(".py") else rename_in_jinja(text, old, new))
    if "." in row.retired:  # other files reach it as `module.word`
        owner = owner_name(row, modmap)
        for rel in [*tree.python(), *tree.templates()]:
            tree.write(rel, re.sub(rf"(?<![\w.]){re.escape(owner)}\.{re.escape(old)}(?!\w)", f"{owner}.{new}",
                                   tree.read(rel)))
    return importers


def apply_renames(tree: Tree, renames: list[Rename], path_map, modmap: dict[str, str]) -> list[Rename]:
    done = []
    for row in renames:
        if row.kind in ("column",) or (row.new, row.kind) in SKIPPED:
            continue
        if row.kind == "file":
            if not (tree.root / row.retired).exists() and (tree.root / row.new).exists():
                done.append(row)
            continue
        if row.kind == "word" and row.applied:
            continue
        if row.kind == "endpoint":
            endpoint_edits(tree, row, path_map)
            done.append(row)
            continue
        old, new = row.word, row.new.rsplit(".", 1)[-1]
        importers: list[str] = []
        if row.kind == "name":
            rename_name(tree, old, new)
        else:
            importers = rename_word(tree, row, old, new, path_map, modmap)
        if row.kind == "word" and "." in row.retired:  # a common word: only as `owner.word` (or an importer's)
            owners = {owner_name(row, modmap), *(Path(rel).stem for rel in importers)}
            pairs = [(f"{o}.{old}", f"{o}.{new}") for o in sorted(owners)]
        else:
            pairs = [(old, new)]
        docs_rename(tree, pairs)
        done.append(row)
    return done


# ---- step 4: re-exports -------------------------------------------------------------------------

def portal_modules(tree: Tree) -> dict[str, str]:
    return {module_of(rel): rel for rel in tree.files("portal/**/*.py")}


def reexport_map(tree: Tree, mods: dict[str, str]) -> dict[str, dict[str, str]]:
    """module -> {name it imports at top level from another portal module (not a package) -> that module}."""
    out: dict[str, dict[str, str]] = {}
    for module, rel in mods.items():
        if rel.endswith("__init__.py"):
            continue
        try:
            parsed = ast.parse(tree.read(rel))
        except SyntaxError:
            continue
        for node in parsed.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("portal.") and node.level == 0:
                for a in node.names:
                    if f"{node.module}.{a.name}" not in mods and not a.asname:
                        out.setdefault(module, {})[a.name] = node.module
    return out


def final_home(module: str, name: str, exports: dict[str, dict[str, str]], mods: dict[str, str]) -> str:
    seen = set()
    while name in exports.get(module, {}) and module not in seen:
        seen.add(module)
        module = exports[module][name]
    return module


def redirect_reexports(tree: Tree, patched: set[str]) -> list[tuple[str, str]]:
    mods = portal_modules(tree)
    exports = reexport_map(tree, mods)

    redirected: set[tuple[str, str]] = set()

    def redirect(module: str, name: str) -> str | None:
        if module not in exports or name in patched:
            return None
        home = final_home(module, name, exports, mods)
        if home != module and home in mods and not mods[home].endswith("__init__.py"):
            redirected.add((module, name))
            return home
        return None

    for rel in tree.python():
        tree.write(rel, rewrite_imports(tree.read(rel), {}, redirect))
    # what the rest of the tree still takes from each module, read once
    everything = "\n".join(tree.read(rel) for rel in [*tree.python(), *tree.templates()])
    imported: set[tuple[str, str]] = set()
    for rel in tree.python():
        try:
            parsed = ast.parse(tree.read(rel))
        except SyntaxError:
            continue
        imported |= {(n.module, a.name) for n in ast.walk(parsed) if isinstance(n, ast.ImportFrom) and n.module
                     for a in n.names}
    dropped: list[tuple[str, str]] = []
    attributes = set(re.findall(r"(?<![\w.])(\w+)\.(\w+)", everything))
    dotted = set(re.findall(r"portal(?:\.\w+)+", everything))
    for module, names in exports.items():
        rel = mods[module]
        text = tree.read(rel)
        base = module.rsplit(".", 1)[-1]
        counts: dict[str, int] = {}
        for _, _, n, _ in name_tokens(text):
            counts[n] = counts.get(n, 0) + 1
        declared_names = noqa_f401_names(text)
        all_names = set(re.findall(r"[\"'](\w+)[\"']", m.group(0))) if (m := re.search(r"__all__\s*=\s*[\[(][^\])]*", text)) else set()
        unused = {name for name in names
                  if ((module, name) in redirected or name in declared_names or name in all_names)
                  and counts.get(name, 0) == 1 and name not in patched and (module, name) not in imported
                  and (base, name) not in attributes and f"{module}.{name}" not in dotted}
        if unused:
            tree.write(rel, drop_imported_names(text, unused))
            dropped += [(f"{module}.{name}", f"{final_home(module, name, exports, mods)}.{name}") for name in sorted(unused)]
    return dropped


def repoint_docs(tree: Tree, dropped: list[tuple[str, str]]) -> None:
    """The documents name a re-exported name by its defining module too (`duties.services.today` →
    `duties.ledger.today`), in full or relative to `portal`."""
    pairs = [*dropped, *((o.removeprefix("portal."), n.removeprefix("portal.")) for o, n in dropped)]
    for rel in tree.docs():
        text = tree.read(rel)

        def change(t: str) -> str:
            for old, new in pairs:
                t = BACKTICKED.sub(lambda m, o=old, n=new: "`" + dotted_pattern(o).sub(n, m.group(1)) + "`", t)
            return t
        tree.write(rel, protected(text, ("renames", "applied", "moves", "moved"), change))


def noqa_f401_names(text: str) -> set[str]:
    """Names of top-level imports marked `# noqa: F401` (kept for other modules: re-exports)."""
    starts, lines, names = offsets(text), text.splitlines(keepends=True), set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom):
            start, end = node_span(text, starts, node)
            if "F401" in text[start:end] + lines[node.end_lineno - 1]:
                names |= {a.asname or a.name for a in node.names}
    return names


def drop_imported_names(text: str, names: set[str]) -> str:
    parsed = ast.parse(text)
    starts, edits = offsets(text), []
    lines = text.splitlines(keepends=True)
    for node in parsed.body:
        if isinstance(node, ast.ImportFrom) and any(a.name in names and not a.asname for a in node.names):
            keep = [(a.name, a.asname) for a in node.names if not (a.name in names and not a.asname)]
            start, end = node_span(text, starts, node)
            if keep:
                edits.append((start, end, import_text("", {node.module: keep}) + inner_comment(text[start:end])))
            else:  # the whole line goes, with its comment
                line_end = starts[node.end_lineno + 1] if node.end_lineno + 1 < len(starts) else len(text)
                edits.append((starts[node.lineno], line_end, ""))
        elif (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
              and isinstance(node.value, (ast.List, ast.Tuple))):
            kept = [e for e in node.value.elts if not (isinstance(e, ast.Constant) and e.value in names)]
            if len(kept) != len(node.value.elts):
                start, end = node_span(text, starts, node.value)
                edits.append((start, end, "[" + ", ".join(repr(e.value) for e in kept) + "]"))
    del lines
    return apply_edits(text, edits)


# ---- step 5: function-level imports -----------------------------------------------------------------

def monkeypatched_names(tree: Tree) -> set[str]:
    """Names tests replace on their module (a function-level import sees the replacement; a module
    level one would not)."""
    names = set()
    for rel in tree.files("tests/**/*.py"):
        text = tree.read(rel)
        names |= set(re.findall(r"""(?:setattr|patch)\(\s*["']portal(?:\.\w+)*\.(\w+)["']""", text))
        names |= set(re.findall(r"""setattr\(\s*[\w.]+\s*,\s*["'](\w+)["']""", text))
    return names


def lazy_reason(node: ast.stmt, module: str, bound: dict[str, str], patched: set[str], mods: dict[str, str]) -> str | None:
    """Why a function-level import must stay (None: it can move to the top)."""
    if isinstance(node, ast.Import):
        targets = [a.name for a in node.names]
    else:
        if node.level:
            return "relative import"
        targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    top = targets[0].split(".")[0]
    if top != "portal":
        if top in HEAVY:
            return "heavy library, loaded only when this runs"
    else:
        own = {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}
        if isinstance(node, ast.ImportFrom):
            for a in node.names:
                target = f"{node.module}.{a.name}"
                if target not in mods and (node.module == "portal" or node.module in own):
                    return "cycle: the package imports this module while it loads"
                if a.name in patched:
                    return f"tests replace `{a.name}` on its module"
    for a in node.names:
        local = a.asname or a.name.split(".")[0]
        if local in bound and bound[local] != ast.dump(node):
            return "the name is taken at module level"
    return None


def module_level_names(parsed: ast.Module) -> dict[str, str]:
    """name -> what binds it at module level (an import's dump, "def" or "assign")."""
    bound: dict[str, str] = {}
    for node in parsed.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                bound[a.asname or a.name.split(".")[0]] = ast.dump(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = "def"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound.update({n.id: "assign" for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)})
    return bound


def lazy_imports(parsed: ast.Module):
    """(function, import statement) for every import written directly in a function's body (one inside
    an `if` or `try` is a choice, left alone)."""
    for func in ast.walk(parsed):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in func.body:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield func, node


def line_end(text: str, starts: list[int], lineno: int) -> int:
    return starts[lineno + 1] if lineno + 1 < len(starts) else len(text)


def hoist_lazy_imports(tree: Tree, patched: set[str]) -> None:
    mods = portal_modules(tree)
    for module, rel in mods.items():
        text = tree.read(rel)
        try:
            parsed = ast.parse(text)
        except SyntaxError:
            continue
        lines, starts = text.splitlines(keepends=True), offsets(text)
        bound = module_level_names(parsed)
        top_dumps = {ast.dump(n) for n in parsed.body if isinstance(n, (ast.Import, ast.ImportFrom))}
        hoisted, edits = [], []
        for func, node in lazy_imports(parsed):
            line = lines[node.end_lineno - 1]
            if "#" in line[char_col(line, node.end_col_offset):] or len(func.body) == 1:
                continue  # already says why, or the function is only the import
            reason = lazy_reason(node, module, bound, patched, mods)
            if reason:
                end = starts[node.end_lineno] + len(line.rstrip("\r\n"))
                edits.append((end, end, f"  # lazy: {reason}"))
                continue
            if ast.dump(node) not in top_dumps:
                hoisted.append(ast.unparse(node))
                top_dumps.add(ast.dump(node))
                bound.update({a.asname or a.name.split(".")[0]: ast.dump(node) for a in node.names})
            edits.append((starts[node.lineno], line_end(text, starts, node.end_lineno), ""))
        if hoisted:
            where = insertion_point(parsed, starts, text)
            edits.append((where, where, "".join(h + "\n" for h in hoisted)))
        if edits:
            tree.write(rel, apply_edits(text, edits))


def insertion_point(parsed: ast.Module, starts: list[int], text: str) -> int:
    """After the module's leading imports (docstring and `from __future__` included)."""
    last = None
    for node in parsed.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and last is None):
            last = node
        else:
            break
    if last is None:
        return 0
    return starts[last.end_lineno + 1] if last.end_lineno + 1 < len(starts) else len(text)


# ---- step 6: the documents ------------------------------------------------------------------------

def floors_of(arch: str) -> dict[str, int]:
    result = {}
    for cells in table_rows(arch, "floors")[1]:
        try:
            number = int(cells[0].split()[0])
        except (ValueError, IndexError):
            continue
        for prefix in ticked(cells[1]):
            result[prefix] = number
    return result


def upward_imports(tree: Tree, table: dict[str, int]) -> list[tuple[str, str]]:
    """As tests/test_docs.py computes them: every import, top level or lazy."""
    mods = portal_modules(tree)
    return sorted({(module, name) for module, rel in mods.items() for name in portal_imports(tree.read(rel), mods)
                   if (floor_of(name, table) or 0) > (floor_of(module, table) or 0)})


UPWARD_NONE = ("None: every import runs down or sideways. The test fails if one is added; add its row here only\n"
               "with the reason it cannot move.\n\n")


def update_architecture(tree: Tree, moves: list[tuple[str, str]], new_packages: list[str]) -> None:
    text = tree.read("docs/ARCHITECTURE.md")
    # the floor table: a moved module is covered by its new package's row
    header, rows = table_rows(text, "floors")
    for cells in rows:
        tokens = ticked(cells[1])
        kept = []
        for token in tokens:
            for package in new_packages:
                dotted = package.replace("/", ".")
                if token.startswith(dotted + "."):
                    token = dotted
            if token not in kept:
                kept.append(token)
        cells[1] = " ".join(f"`{t}`" for t in kept)
    text = replace_table(text, "floors", header, rows)
    # the moves: done ones go to the moved table
    header, rows = table_rows(text, "moves")
    still, done = [], []
    for cells in rows:
        old, new = ticked(" ".join(cells[:2]))
        (done if not (tree.root / old).exists() and (tree.root / new).exists() else still).append(cells)
    text = replace_table(text, "moves", header, still)
    if done:
        if not table_span(text, "moved"):
            end = text.index("<!-- /moves -->") + len("<!-- /moves -->")
            text = (text[:end] + "\n\nThe moves made (kept so `python tools/restructure.py` also fixes a late import of an old"
                    " path; the test checks each old path is gone and each new one exists):\n\n<!-- moved: the test reads"
                    " this table -->\n| was | now |\n|---|---|\n<!-- /moved -->" + text[end:])
        moved_header, moved = table_rows(text, "moved")
        moved += [c for c in done if c not in moved]
        text = replace_table(text, "moved", moved_header, moved)
    # the upward imports, recomputed
    header, _ = table_rows(text, "upward")
    upward = upward_imports(tree, floors_of(text))
    text = replace_table(text, "upward", header, [[f"`{a}`", f"`{b}`"] for a, b in upward])
    if not upward:
        text = re.sub(r"(### Imports that run upward today\n\n).*?(<!-- upward)", lambda m: m.group(1) + UPWARD_NONE + m.group(2),
                      text, flags=re.S)
    tree.write("docs/ARCHITECTURE.md", text)


def update_glossary(tree: Tree, done: list[Rename], path_map) -> None:
    text = tree.read("docs/GLOSSARY.md")
    done_keys = {(r.word, r.new, r.kind) for r in done if not r.applied}  # the module part may have moved
    header, rows = table_rows(text, "renames")
    applied_header, applied = table_rows(text, "applied")
    still = []
    for cells in rows:
        key = (ticked(cells[0])[0].rsplit(".", 1)[-1], ticked(cells[1])[0], cells[2])
        cells[3] = " ".join(f"`{path_map(p)}`" for p in ticked(cells[3])) or cells[3]
        (applied if key in done_keys else still).append(cells)
    text = replace_table(text, "renames", header, still)
    text = replace_table(text, "applied", applied_header, applied)
    # planned words no remaining planned row brings are words of the code now
    brought = " ".join(ticked(c[1])[0] for c in still).lower().replace("_", "").replace("/", " ")
    header, words = table_rows(text, "words")
    for cells in words:
        if "*(planned)*" in cells[1]:
            english = cells[1].replace("*(planned)*", "").strip()
            if re.sub(r"[\s-]", "", english.lower()) not in brought:
                cells[1] = english
    text = replace_table(text, "words", header, words)
    tree.write("docs/GLOSSARY.md", text)


def rewrite_planned_retired(tree: Tree, modmap: dict[str, str], done: list[Rename]) -> None:
    """The planned rows' dotted retired names must still resolve after the moves and the renames."""
    text = tree.read("docs/GLOSSARY.md")
    header, rows = table_rows(text, "renames")
    relative = {o.removeprefix("portal."): n.removeprefix("portal.") for o, n in modmap.items()}
    for cells in rows:
        retired = ticked(cells[0])[0]
        if cells[2] in ("file", "endpoint") or "/" in retired:  # a path or an endpoint, not a module's name
            continue
        for old in sorted(relative, key=len, reverse=True):
            if retired == old or retired.startswith(old + "."):
                retired = relative[old] + retired[len(old):]
                break
        parts = retired.split(".")
        for r in done:
            if r.kind == "name":
                parts[:-1] = [r.new if p == r.word else p for p in parts[:-1]]
        cells[0] = f"`{'.'.join(parts)}`"
    tree.write("docs/GLOSSARY.md", replace_table(text, "renames", header, rows))


# ---- the run ------------------------------------------------------------------------------------

def run(root: Path, ruff: bool = True) -> set[str]:
    tree = Tree(root)
    moves, renames = read_plan(tree)
    path_of = dict(moves)

    def path_map(path: str) -> str:
        return path_of.get(path, path)

    make_moves(tree, moves)
    modmap = {module_of(o): module_of(n) for o, n in moves if o.endswith(".py")}
    modmap = {o: n for o, n in modmap.items() if o and n and o != n}
    # 2. references
    for rel in tree.python():
        text = rewrite_imports(tree.read(rel), modmap)
        tree.write(rel, rewrite_references(text, moves, modmap, is_doc=False))
    for rel in [*tree.templates(), *tree.docs()]:
        text = tree.read(rel)
        if rel in ("docs/GLOSSARY.md", "docs/ARCHITECTURE.md"):  # the tables of what moves keep the old names
            new = protected(text, ("renames", "applied", "moves", "moved"), lambda t: rewrite_references(t, moves, modmap, True))
        else:
            new = rewrite_references(text, moves, modmap, rel.endswith(".md"))
        tree.write(rel, new)
    # 3. renames
    done = apply_renames(tree, renames, path_map, modmap)
    rewrite_planned_retired(tree, modmap, done)
    # 4. and 5. imports
    patched = monkeypatched_names(tree)
    repoint_docs(tree, redirect_reexports(tree, patched))
    hoist_lazy_imports(tree, patched)
    # 6. documents
    update_architecture(tree, moves, sorted({Path(n).parent.as_posix() for o, n in moves
                                             if n.endswith(".py") and Path(o).parent != Path(n).parent}))
    update_glossary(tree, done, path_map)
    # 7. import order
    exe = shutil.which("ruff", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if ruff and exe:
        subprocess.run([exe, "check", "--select", "I", "--fix", "--quiet", "--exit-zero", "."], cwd=root,
                       capture_output=True)
    return tree.changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--no-ruff", action="store_true", help="skip sorting imports with ruff")
    args = parser.parse_args(argv)
    changed = run(args.root, ruff=not args.no_ruff)
    for rel in sorted(changed):
        print("changed " + rel)
    if SKIPPED:
        print("left planned on purpose:\n" + "\n".join(f"  → {new} ({kind}): {why}" for (new, kind), why in SKIPPED.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
