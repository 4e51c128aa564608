"""Growth benchmark: `python -m bench growth [--scale 1] [--pg URL] [--rounds 15] [--no-load]`.

Does any page get slower as the office's records grow? Builds (or takes from the cache, see
bench/growth_build.py) the demo database and the same demo grown by ten years of a city office's
work, copies both, upgrades the copies the production way (`flask portal setup`), serves each with
its own gunicorn (one worker, the project's gunicorn.conf.py) and requests every main page of both
in turn, alternating which goes first, as the role that opens it. Prints each page's p50/p95 on the
demo and on the grown database and the ratio of the p50s (budget ≤ 1.5×), the exports' p95/p50 on
the grown database (budget ≤ 2×), then (unless --no-load) the 50-user `bench load` on a copy of the
grown database (budget: every p95 ≤ 1 s). `--pg postgresql+psycopg://user:pw@host/db` does the same
on PostgreSQL after SQLite (the role needs CREATEDB: the cached and scratch databases are made beside
the one named). On PostgreSQL the grown database is the SQLite one copied row for row
(bench/growth_copy.py: the same services-made data in minutes instead of an hour); `--pg-build` grows
it there through the services. Ratios, not absolute times, compare: both servers share this machine's load.

Beside the wall-clock p50s the table prints the median CPU time the serving worker spent on each
request (its /proc schedstat): on a machine shared by many, waiting for a core swamps the wall clock,
while the worker's CPU time is what the request cost the app (on PostgreSQL, without the database's
own work).

A county's matrix .xlsx and the overdue list are built in the background when large (issue 24,
`portal.training.export_jobs`): their `export:` rows are what a second request meets (the file kept
from the first, on the grown database; built within the request on the demo), and the `export, after a
change:` rows remove the kept files first and time the whole wait — the request (its own `, answer` row,
the page budget), polling the job's page until the link shows, the download — with the worker's CPU
over every thread (the build's included).

"The board right after a write" is measured twice: after a sign-in (audited; the board does not
show it, so it should stay a cache hit) and after a tick on a duty (the board shows it: a fresh render).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import growth_serve
from bench.growth_build import CACHE, cache_key
from bench.growth_serve import PASSWORDS, Served, Store, demo_passwords, ensure_built
from bench.load_bench import percentile
from bench.load_users import Client, Log

RATIO_BUDGET = 1.5
CPU = ":cpu"  # the key of a server's CPU times beside its wall times
EXPORT_SPREAD_BUDGET = 2.0


def pages(month: str) -> list[tuple[str, str, object]]:
    """(label, username, path or a function of the server's ids) of every main page."""
    return [
        ("home: admin", "admin", "/"), ("home: leader", "leader", "/"), ("home: liaison", "liaison-yanhu", "/"),
        ("home: city trainer", "trainer", "/"), ("home: county trainer", "trainer-yanhu", "/"),
        ("home: staff", "staff", "/"),  # a 学员's home is 我的培训 (below)
        ("台账 (leader)", "leader", "/tasks/"), ("台账 all units", "leader", "/tasks/?unit="),
        ("台账 (county liaison)", "liaison-yanhu", "/tasks/"),
        ("duty page (training)", "admin", lambda ids: f"/tasks/{ids['training_duty']}"),
        ("duty page (transfer)", "liaison-yanhu", lambda ids: f"/tasks/{ids['transfer_duty']}"),
        ("board (cached)", "leader", "/board"),
        ("board after a sign-in", "leader", "/board"),
        ("board after a tick", "leader", "/board"),
        ("board: county filter", "leader", "/board?county=yanhu"),
        ("county page", "leader", "/board/counties/yanhu"), ("transfer page", "leader", "/board/transfer"),
        ("decisions", "leader", "/board/decisions"), ("supervision queue", "admin", "/supervision/"),
        ("supervision coverage", "admin", "/supervision/coverage"),
        ("通报 page", "leader", "/board/report"),
        ("training overview (city)", "trainer", "/training/"),
        ("training overview (county)", "trainer-yanhu", "/training/"),
        ("全市汇总", "trainer", "/training/reports/city"),
        ("全市汇总 (county trainer)", "trainer-yanhu", "/training/reports/city"),
        ("matrix 盐湖区", "trainer", "/training/reports/matrix?county=yanhu"),
        ("overdue list", "trainer", "/training/reports/overdue"),
        ("overdue list (county)", "trainer-yanhu", "/training/reports/overdue"),
        ("roster 盐湖区", "trainer", "/training/roster?county=yanhu"),
        ("sign-in sheets", "trainer", "/training/sessions"),
        ("a sign-in sheet", "trainer", lambda ids: f"/training/sessions/{ids['session']}"),
        ("a trainee's page", "trainer", lambda ids: f"/training/trainees/{ids['trainee']}"),
        ("assign page", "trainer", "/training/assign"), ("modules", "trainer", "/training/modules"),
        ("areas", "trainer-yanhu", "/training/areas"), ("my training", "trainee", "/training/my"),
        ("reports index", "liaison-yanhu", "/reports/"),
        ("month report", "liaison-yanhu", f"/reports/yanhu-mz/{month}"),
        ("search", "staff", "/search?q=%E5%84%BF%E7%AB%A5%E7%A6%8F%E5%88%A9"),
        ("audit log", "auditor", "/admin/audit/"), ("users", "admin", "/admin/users"), ("units", "staff", "/units/"),
        ("API progress", "leader", "/api/progress"), ("API training", "trainer", "/api/training"),
        ("API duties", "liaison-yanhu", "/api/duties"), ("API search", "staff", "/api/search?q=%E7%9B%91%E6%8A%A4"),
        ("export: 台账 .xlsx", "leader", "/tasks/export.xlsx"), ("export: 台账 .csv", "leader", "/tasks/export.csv"),
        ("export: 通报 .docx", "leader", "/board/report.docx"), ("export: 通报 .xlsx", "leader", "/board/report.xlsx"),
        ("export: matrix .xlsx", "trainer", MATRIX_XLSX),  # the kept file once built (ten years), direct (demo)
        ("export: overdue .xlsx (city)", "trainer", OVERDUE_XLSX),
        (FRESH + "matrix .xlsx", "trainer", MATRIX_XLSX),  # request → ready → download, nothing kept
        (FRESH + "overdue .xlsx (city)", "trainer", OVERDUE_XLSX),
        ("export: 全市汇总 .xlsx", "trainer", "/training/reports/city?format=xlsx"),
        ("export: coverage .xlsx", "trainer", "/training/coverage/yanhu.xlsx"),
    ]


MATRIX_XLSX = "/training/reports/matrix?county=yanhu&format=xlsx"
OVERDUE_XLSX = "/training/reports/overdue?format=xlsx"
# A whole-roster file asked for after its figures changed (the kept files removed first, not timed):
# the request (a background export's page when large: its own row, `ANSWERED`), polling the job's page
# (htmx's request, every `POLL` s; a browser polls every second) until the link shows, then the
# download. The row's wall time is the whole wait; its CPU is the worker process's, every thread (the
# build runs in a thread of the worker). Not a page: the ratio is printed, the budget is the request's.
FRESH = "export, after a change: "
ANSWERED = ", answer"
POLL = 0.05


def _before(label: str, server: Served, tick_state: dict) -> None:
    """The write that precedes a 'right after a write' measure (not timed)."""
    if label.startswith(FRESH):
        shutil.rmtree(server.folder / "uploads" / "staging" / "exports", ignore_errors=True)
    elif label == "board after a sign-in":
        Client(server.port, 0, Log()).login("staff", PASSWORDS["staff"])
    elif label == "board after a tick":
        admin = server.client("admin")
        iid, item = server.ids["transfer_duty"], server.ids["tick_item"]
        done = tick_state.get(server.label, False)
        status, _, _ = admin.request("", "POST", f"/tasks/{iid}/items/{item}", {"done": "0" if done else "1",
                                                                                "csrf_token": admin.csrf}, htmx=True)
        tick_state[server.label] = not done if status == 200 else done


def time_pages(servers: list[Served], rounds: int, month: str, only: str = "") -> dict[str, dict[str, list[float]]]:
    """label -> server label -> milliseconds, requests alternating between the servers."""
    times: dict[str, dict[str, list[float]]] = {}
    failures: dict[str, str] = {}
    tick_state: dict = {}
    wanted = [part.strip() for part in only.split(",") if part.strip()]
    for label, user, path in pages(month):
        if wanted and not any(part in label for part in wanted):
            continue
        times[label] = {k: [] for s in servers for k in (s.label, s.label + CPU)}
        for r in range(rounds + 1):  # the first round warms (and fills the board's cache)
            order = servers if r % 2 == 0 else list(reversed(servers))
            for server in order:
                target = path(server.ids) if callable(path) else path
                _before(label, server, tick_state)
                client = server.client(user)
                if label.startswith(FRESH):
                    times.setdefault(label + ANSWERED, {k: [] for s in servers for k in (s.label, s.label + CPU)})
                    status, whole, answered = export_flow(client, target, server.process_cpu_ns)
                    measured = {label: whole, label + ANSWERED: answered}
                elif label.startswith("export:"):  # a background export's page on the first (warming) round
                    status, whole, _ = export_flow(client, target, server.cpu_ns)
                    measured = {label: whole}
                else:
                    start, cpu = time.perf_counter(), server.cpu_ns()
                    status, _, _ = client.request("", "GET", target)
                    measured = {label: ((time.perf_counter() - start) * 1000, (server.cpu_ns() - cpu) / 1e6)}
                if status != 200:
                    failures[label] = f"{server.label}: HTTP {status} for {target}"
                elif r:
                    for key, (ms, cpu_ms) in measured.items():
                        times[key][server.label].append(ms)
                        times[key][server.label + CPU].append(cpu_ms)
    for label, why in failures.items():
        print(f"  {label}: {why}")
    return times


def export_flow(client: Client, target: str, cpu_ns) -> tuple[int, tuple, tuple]:
    """(status, (ms, cpu ms) of the whole flow, (ms, cpu ms) of the first answer) of asking for a file:
    served at once (small or kept), or a job's page polled until its download link shows, then the file."""
    start, cpu = time.perf_counter(), cpu_ns()
    status, _, headers = client.request("", "GET", target)
    answered = ((time.perf_counter() - start) * 1000, (cpu_ns() - cpu) / 1e6)
    if status == 303:
        page = headers.get("location", "")
        page = page[page.index("/training/"):] if "/training/" in page else page
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status, body, _ = client.request("", "GET", page, htmx=True)
            if status != 200 or "export-download" in body or "导出未完成" in body:
                break
            time.sleep(POLL)
        status, _, _ = client.request("", "GET", page + "/file")
    whole = ((time.perf_counter() - start) * 1000, (cpu_ns() - cpu) / 1e6)
    return status, whole, answered


def print_table(kind: str, times: dict, demo: str, grown: str) -> bool:
    import statistics

    print(f"\n{kind}: every main page, demo vs grown (ten years), load average {os.getloadavg()[0]:.2f}")
    print(f"{'page':<46}{'demo p50':>10}{'p95':>9}{'grown p50':>11}{'p95':>9}{'ratio':>8}"
          f"{'cpu demo':>10}{'grown':>8}{'ratio':>7}  budget (wall ratio)")
    ok = True
    for label, by in times.items():
        a, b = by.get(demo) or [], by.get(grown) or []
        if not a or not b:
            print(f"{label:<46}{'n/a':>10}")
            ok = False
            continue
        p50a, p50b = statistics.median(a), statistics.median(b)
        ratio = p50b / p50a
        waits = label.startswith(FRESH) and not label.endswith(ANSWERED)  # the wait for a file, not a page
        verdict = "(a wait, not a page)" if waits else "PASS" if ratio <= RATIO_BUDGET else "FAIL"
        extra = ""
        if label.startswith("export") and not waits:
            spread = percentile(b, 95) / p50b
            extra = f"; grown p95/p50 {spread:.2f} ≤ {EXPORT_SPREAD_BUDGET:g} {'PASS' if spread <= EXPORT_SPREAD_BUDGET else 'FAIL'}"
            ok &= spread <= EXPORT_SPREAD_BUDGET
        ok &= waits or ratio <= RATIO_BUDGET
        ca, cb = statistics.median(by[demo + CPU]), statistics.median(by[grown + CPU])
        print(f"{label:<46}{p50a:>10.1f}{percentile(a, 95):>9.1f}{p50b:>11.1f}{percentile(b, 95):>9.1f}{ratio:>7.2f}x"
              f"{ca:>10.1f}{cb:>8.1f}{cb / ca if ca else 0:>6.2f}x  ≤ {RATIO_BUDGET:g}x {verdict}{extra}")
    return ok


def run_kind(store: Store, args, key: str) -> bool:
    copy_from = Store(None, store.folder) if store.pg and not args.pg_build else None
    demo_name, grown_name = ensure_built(store, args.scale, key, copy_from)
    tmp = Path(tempfile.mkdtemp(prefix="growth-bench-"))
    copies = {"demo": f"gx_demo_{os.getpid()}", "grown": f"gx_grown_{os.getpid()}"}
    servers = []
    try:
        for label, source in (("demo", demo_name), ("grown", grown_name)):
            url = store.create(copies[label], template=source)
            servers.append(Served(label, url, tmp / label))
        for s in servers:
            s.start()
        from portal.reports.services import current_month
        with _app_context(servers[0]):
            month = current_month()
        ok = print_table(store.kind, time_pages(servers, args.rounds, month, args.only), "demo", "grown")
        print("serving worker's memory after the run (PSS): "
              + ", ".join(f"{s.label} {s.memory_mib():.0f} MiB" for s in servers))
    finally:
        for s in servers:
            s.stop()
        for name in copies.values():
            store.drop(name)
        shutil.rmtree(tmp, ignore_errors=True)
    if not args.no_load:
        ok &= run_load(store, grown_name, args)
    return ok


def _app_context(server: Served):
    from portal import create_app

    os.environ.update({k: v for k, v in server.env().items() if k.startswith(("DATABASE_URL", "PORTAL_"))})
    return create_app({"INSTANCE_PATH": str(server.folder)}).app_context()


def run_load(store: Store, grown_name: str, args) -> bool:
    """`bench load` on a copy of the grown database."""
    from bench import load_bench

    name = f"gx_load_{os.getpid()}"
    url = store.create(name, template=grown_name)
    try:
        print(f"\n50-user load on a copy of the grown database ({store.kind}):", flush=True)
        code = load_bench.main(["--users", str(args.users), "--seconds", str(args.seconds), "--workers",
                                str(args.workers), "--existing-database", url])
    finally:
        store.drop(name)
    return code == 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench growth")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the issue's ten years (50,000 trainees)")
    parser.add_argument("--pg", default="", help="PostgreSQL URL: also measure there (after SQLite)")
    parser.add_argument("--pg-only", action="store_true", help="with --pg: skip SQLite")
    parser.add_argument("--pg-build", action="store_true",
                        help="with --pg: grow on PostgreSQL through the services (~1 h) instead of copying the SQLite build")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-load", action="store_true", help="skip the 50-user load on the grown database")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-pin", action="store_true",
                        help="leave the two servers' workers wherever the kernel puts them (default: both on one CPU)")
    parser.add_argument("--only", default="",
                        help="comma-separated parts of page labels: time only those pages (for a quick look)")
    args = parser.parse_args(argv)
    cpus = sorted(os.sched_getaffinity(0))
    growth_serve.PIN_CPU = None if args.no_pin or len(cpus) < 2 else cpus[-1]
    PASSWORDS.update(demo_passwords())
    key = cache_key(args.scale)
    stores = [] if args.pg and args.pg_only else [Store(None, CACHE / key)]
    if args.pg:
        stores.append(Store(args.pg, CACHE / key))
    for s in stores:
        s.folder.mkdir(parents=True, exist_ok=True)
    ok = True
    for store in stores:
        ok &= run_kind(store, args, key)
    print("\nevery budget PASS" if ok else "\nsome budgets missed (ratios above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
