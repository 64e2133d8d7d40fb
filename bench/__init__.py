"""Benchmarks, each with a naive baseline in the same run: `python -m bench [name ...]`."""
