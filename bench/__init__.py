"""Benchmarks run by `make bench`; each prints its figure beside a baseline from the same run."""
