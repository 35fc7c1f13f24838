"""Functional correctness: run generated code in a sandbox against tests; pass@k.

Modules: `sandbox` (bubblewrap + rlimits, named fallbacks), `harness` (Python/Java programs,
outcome classification), `codereval` (CoderEval's harness in its container image), `passk`
(unbiased estimator), `evaluate` (predictions -> per-task table + summary), `cli`.
"""
