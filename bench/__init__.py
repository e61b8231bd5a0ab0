"""Benchmarks: `python -m bench.users --users N` (`make bench`). Reports, never tests."""
