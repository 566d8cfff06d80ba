"""Held-out evaluation of CSAR-2 against the baselines."""
