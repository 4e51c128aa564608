"""`python -m bench` → the search benchmark; `python -m bench search --clauses 5000` for a quick run."""
from __future__ import annotations

import sys

BENCHES = {"search": "bench.search_bench"}


def main(argv: list[str]) -> int:
    name = "search"
    if argv and not argv[0].startswith("-"):
        name, argv = argv[0], argv[1:]
    if name not in BENCHES:
        print(f"unknown benchmark {name!r}; choose from: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    import importlib

    return importlib.import_module(BENCHES[name]).main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
