"""Benchmarks: scripts that print figures.

Run each from the project root as ``python -m bench.NAME``.
"""
