"""The benchmark harness: ``make bench`` runs ``benchmarks/run.py``."""
