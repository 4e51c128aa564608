"""Search benchmark: our engine against a linear substring scan and against Whoosh with jieba's
stock ChineseAnalyzer, in the same run, on the 方案 plus a generated statute-style corpus.

    python -m bench search                 # 50,000 generated clauses (~20 MB)
    python -m bench search --clauses 5000  # a quick run

Budgets (PASS/FAIL printed, never asserted): query p95 ≤ 30 ms at 50k clauses including
highlighting; build ≥ 1 MB/s and ≥ 2× the stock analyzer; 方案-only p95 ≤ 5 ms; worker RSS
after loading < 200 MB.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench.corpus import documents, mixed_queries

ROOT = Path(__file__).resolve().parents[1]
FANGAN = ROOT / "content" / "policy" / "yunmin-2021-74.md"
FANGAN_QUERIES = ["弃婴", "家庭寄养", "绿色通道", "特殊教育学校", "社会工作者职业资格", "远程教育", "移交步骤",
                  "留守儿童", "食品安全", "晋民发〔2021〕42号", "户口迁移", "应急预案", "户口怎么迁",
                  "\"家庭寄养\"", "三（二）8", "儿童主任做什么", "公安", "福利院 看病"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def loadavg() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average n/a"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def rss_mb() -> tuple[float, float]:
    cur = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


def time_queries(fn, queries: list[str], rounds: int) -> list[float]:
    for q in queries:  # warm-up
        fn(q)
    out = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
    return out


# ---------------------------------------------------------------- baselines


class LinearScan:
    """The floor: substring counts over every clause's text, top 10."""

    def __init__(self, records):
        self.texts = [(r["clause_id"] if isinstance(r, dict) else r.clause_id,
                       (r["text"] if isinstance(r, dict) else r.text)) for r in records]

    def search(self, q: str, limit: int = 10):
        from portal.search.query import parse

        pq = parse(q)
        terms = pq.phrase_texts + pq.words
        if not terms:
            return []
        scored = []
        for cid, text in self.texts:
            n = sum(text.count(t) for t in terms)
            if n:
                scored.append((n, cid))
        scored.sort(reverse=True)
        return scored[:limit]


def build_stock(ix_dir: Path, records) -> dict:
    """Whoosh + jieba's bundled ChineseAnalyzer, single process, as its docs show it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
        from jieba.analyse import ChineseAnalyzer

        jieba.setLogLevel(logging.WARNING)
    from whoosh import index as windex
    from whoosh.fields import ID, STORED, TEXT, Schema

    schema = Schema(uid=ID(unique=True, stored=True), clause_id=STORED(),
                    body=TEXT(analyzer=ChineseAnalyzer(), stored=True))
    ix_dir.mkdir(parents=True, exist_ok=True)
    ix = windex.create_in(str(ix_dir), schema)
    t = time.perf_counter()
    nbytes = 0
    with ix.writer(limitmb=256) as w:
        for r in records:
            w.add_document(uid=f"{r['doc_id']}#{r['clause_id']}", clause_id=r["clause_id"], body=r["text"])
            nbytes += len(r["text"].encode())
    secs = time.perf_counter() - t
    return {"ix": ix, "seconds": secs, "bytes": nbytes, "mb_per_s": nbytes / 1e6 / secs}


def stock_searcher(ix):
    from whoosh.qparser import OrGroup, QueryParser

    parser = QueryParser("body", ix.schema, group=OrGroup)
    searcher = ix.searcher()

    def run(q: str):
        try:
            query = parser.parse(q)
        except Exception:
            return []
        results = searcher.search(query, limit=10)
        return [(h["clause_id"], h.highlights("body")) for h in results]

    return run


# ---------------------------------------------------------------- main


def rss_child(index_dir: str, queries: list[str]) -> dict:
    """A fresh process: load the engine, open the index, answer the queries, report memory."""
    code = (
        "import json,sys\n"
        "from portal.search import engine\n"
        "from bench.search_bench import rss_mb\n"
        "base = rss_mb()[0]\n"
        "qs = json.loads(sys.argv[2])\n"
        "for q in qs: engine.search(sys.argv[1], q)\n"
        "cur, peak = rss_mb()\n"
        "print(json.dumps({'python_mb': base, 'rss_mb': cur, 'peak_mb': peak}))\n")
    out = subprocess.run([sys.executable, "-c", code, index_dir, json.dumps(queries, ensure_ascii=False)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench search", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clauses", type=int, default=50_000, help="generated clauses (default 50000)")
    ap.add_argument("--stock-sample", type=int, default=10_000,
                    help="clauses for the stock-analyzer baseline (0 = all; default 10000)")
    ap.add_argument("--procs", type=int, default=2, help="writer processes for our build (default 2)")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the query list (default 5)")
    ap.add_argument("--keep", help="build the indexes in this directory and keep them")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from portal.content.policy_doc import read_document
    from portal.search import engine, tokenizer

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        fangan = [engine.Record.of(r) for r in engine.records_from_document(read_document(FANGAN))]
        records = [r.__dict__ for r in fangan] + list(documents(args.clauses))
        mb = sum(len(r["text"].encode()) for r in records) / 1e6
        tokenizer.segmenter()
        print(f"corpus: 方案 ({len(fangan)} clauses) + {args.clauses:,} generated clauses = "
              f"{len(records):,} clauses, {mb:.1f} MB of text (generated in {time.perf_counter() - t:.1f} s); "
              f"segmenter {tokenizer.backend_name()}; {os.cpu_count()} CPUs; {loadavg()}")

        # -- build
        ours = engine.build_index(work / "ours", records, procs=args.procs, timeout=600)
        sample = records if args.stock_sample <= 0 else records[: args.stock_sample]
        stock = build_stock(work / "stock", sample)
        sampled = len(sample) < len(records)
        print("\n== index build ==")
        print(f"ours  ({args.procs}-process writer): {ours['seconds']:7.1f} s  {ours['mb_per_s']:5.2f} MB/s  "
              f"({ours['clauses']:,} clauses)")
        print(f"stock (jieba ChineseAnalyzer, 1 process): {stock['seconds']:7.1f} s  {stock['mb_per_s']:5.2f} MB/s  "
              f"({len(sample):,} clauses{'; a sample — a full build would take ~%.0f s' % (mb / stock['mb_per_s']) if sampled else ''})")
        print(f"ratio ours/stock MB/s: {ratio(ours['mb_per_s'], stock['mb_per_s'])}")

        # -- queries at scale
        queries = mixed_queries()
        eng = engine.SearchEngine(work / "ours")
        ours_ms = time_queries(lambda q: eng.search(q, limit=10), queries, args.rounds)
        scan = LinearScan(records)
        scan_ms = time_queries(scan.search, queries, max(1, args.rounds // 2))
        stock_run = stock_searcher(stock["ix"])
        stock_ms = time_queries(stock_run, queries, args.rounds)
        print(f"\n== query latency, {len(queries)} mixed queries × rounds (words, phrases, questions, 文号, citations) ==")
        print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8}   p95 ratio")
        print(f"{'ours (incl. highlighting)':34} {pct(ours_ms, 50):8.2f} {pct(ours_ms, 95):8.2f}")
        print(f"{'linear substring scan':34} {pct(scan_ms, 50):8.2f} {pct(scan_ms, 95):8.2f}   "
              f"ours is {ratio(pct(scan_ms, 95), pct(ours_ms, 95))} faster")
        label = f"stock analyzer ({'sample ' + format(len(sample), ',') if sampled else 'full'})"
        print(f"{label:34} {pct(stock_ms, 50):8.2f} {pct(stock_ms, 95):8.2f}   "
              f"ours/stock {ratio(pct(ours_ms, 95), pct(stock_ms, 95))}"
              + ("  (stock on a smaller index: flatters it)" if sampled else ""))
        stock_phrase = stock_run('"家庭寄养服务"')
        ours_phrase = eng.search('"家庭寄养服务"')["total"]
        print(f"phrase \"家庭寄养服务\": ours {ours_phrase} hits, stock {len(stock_phrase)} hits "
              "(stock positions are character offsets)")

        # -- 方案 alone
        engine.build_index(work / "fangan", fangan)
        feng = engine.SearchEngine(work / "fangan")
        fq = FANGAN_QUERIES + queries
        fangan_ms = time_queries(lambda q: feng.search(q, limit=10), fq, args.rounds)
        fscan = LinearScan(fangan)
        fscan_ms = time_queries(fscan.search, fq, args.rounds)
        print(f"\n== the 方案 alone ({len(fangan)} clauses, {len(fq)} queries) ==")
        print(f"ours p50 {pct(fangan_ms, 50):.2f} ms  p95 {pct(fangan_ms, 95):.2f} ms   "
              f"linear scan p95 {pct(fscan_ms, 95):.2f} ms (ratio ours/scan {ratio(pct(fangan_ms, 95), pct(fscan_ms, 95))})")

        # -- memory
        mem = rss_child(str(work / "ours"), queries)
        print(f"\n== worker memory (fresh process, engine loaded, {len(records):,}-clause index open, queries answered) ==")
        print(f"RSS {mem['rss_mb']:.0f} MB (peak {mem['peak_mb']:.0f} MB; bare Python + imports {mem['python_mb']:.0f} MB)")

        # -- budgets
        p95 = pct(ours_ms, 95)
        full = args.clauses >= 50_000
        print(f"\n== budgets == ({loadavg()}: other work on the machine slows every figure)")
        print(f"{verdict(p95 <= 30)}  query p95 ≤ 30 ms at {len(records):,} clauses incl. highlighting: {p95:.2f} ms"
              + ("" if full else "  (fewer than 50,000 clauses: run without --clauses for the real figure)"))
        print(f"{verdict(ours['mb_per_s'] >= 1.0)}  build ≥ 1 MB/s: {ours['mb_per_s']:.2f} MB/s")
        print(f"{verdict(ours['mb_per_s'] >= 2 * stock['mb_per_s'])}  build ≥ 2× stock: "
              f"{ratio(ours['mb_per_s'], stock['mb_per_s'])}")
        print(f"{verdict(pct(fangan_ms, 95) <= 5)}  方案-only p95 ≤ 5 ms: {pct(fangan_ms, 95):.2f} ms")
        print(f"{verdict(mem['rss_mb'] < 200)}  worker RSS < 200 MB: {mem['rss_mb']:.0f} MB")
        eng.close()
        feng.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
