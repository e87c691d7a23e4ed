"""Helpers the tests and the benchmarks share: tiny models and fixture run directories."""
