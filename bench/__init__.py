"""Benchmarks: `make bench` (or `python -m bench [name ...]`) runs them and prints the numbers."""
