"""Benchmarks: `python -m bench [name] [options]` (default: search)."""
