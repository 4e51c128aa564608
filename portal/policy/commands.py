"""`flask portal import-policy`: the policy library's commands, attached to the portal group."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from portal.cli_support import command, display_root
from portal.cli_support import content_dir as _content_dir
from portal.policy import bp
from portal.policy.importing import expand, run_import


def _shown(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(display_root()))
    except ValueError:
        return str(path)


@command("import-policy")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--id", "doc_id", default=None,
              help="Document id for a single regulation (default: the library's id for its title, else derived "
                   "from the title).")
def import_policy_command(paths: tuple[Path, ...], doc_id: str | None):
    """Add or update regulations in content/policy/ from their published text: files or folders.

    Each document is checked on its own and reported as imported, updated, unchanged or refused
    (with file:line reasons); refused files write nothing. The library is synced and the search
    index updated once at the end."""
    files = expand(paths)
    if not files:
        click.echo("no .md or .txt files found", err=True)
        sys.exit(1)
    with click.progressbar(length=len(files), label="importing", file=sys.stderr,
                           item_show_func=lambda g: g[0][0].name if g else None) as bar:
        def progress(groups):
            for group in groups:
                yield group
                bar.update(len(group), group)

        run = run_import(files, _content_dir(), doc_id, display_root=display_root(),
                         shown=_shown, progress=progress, index_procs=2)
    for o in run.outcomes:
        where = o.doc_id + (f"@{o.edition}" if o.edition else "")
        if o.ok:
            what = f"{o.clauses} articles" if o.layout == "statute" else f"{o.clauses} clauses"
            click.echo(f"{o.outcome}: {', '.join(o.files)} -> {where} ({o.layout}, {what})")
            for flag in o.flags:  # imported all the same: where the source's numbering could not be followed
                click.echo(f"  flagged: {flag}")
        else:
            reason = o.problems[0].message if o.problems else "refused"
            click.echo(f"refused: {', '.join(o.files)} -- {reason}", err=True)
            for problem in o.problems:
                click.echo(f"  {problem}", err=True)
    if run.report is not None:
        for line in run.report.lines():
            click.echo(line)
        for problem in run.report.problems:
            click.echo(str(problem), err=True)
    counts = run.counts()
    click.echo(f"{counts['imported']} imported, {counts['updated']} updated, {counts['unchanged']} unchanged, "
               f"{counts['refused']} refused" + (f"; search index: {run.search}" if run.search else ""))
    if not run.ok:
        sys.exit(1)


# `flask portal <name>`: the app gathers every blueprint's commands into its group (portal.cli.init_app).
for _command in (import_policy_command,):
    bp.cli.add_command(_command)
