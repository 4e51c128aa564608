"""`python -m bench` runs every benchmark; `python -m bench search --sizes 5000 --samples 100` or
`python -m bench duties --rounds 50` runs one (`python -m bench outbox --messages 300`: the deliverer; `python -m bench snapshot`: the daily snapshot job and its reads); `python -m bench load --users 50 --seconds 60` the load test."""
from __future__ import annotations

import sys

BENCHES = {"search": "bench.search_bench", "duties": "bench.duties_bench", "import": "bench.import_bench",
           "load": "bench.load_bench", "board": "bench.board_bench", "training": "bench.training_bench",
           "growth": "bench.growth_bench", "plans": "bench.plans_bench", "outbox": "bench.outbox_bench",
           "snapshot": "bench.snapshot_bench"}


def main(argv: list[str]) -> int:
    import importlib

    if not argv or argv[0].startswith("-"):
        codes = [importlib.import_module(module).main(argv if name == "search" else []) for name, module in BENCHES.items()]
        return max(codes)
    name, argv = argv[0], argv[1:]
    if name not in BENCHES:
        print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    return importlib.import_module(BENCHES[name]).main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
