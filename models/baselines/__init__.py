"""Baselines CSAR-2 is compared against: physical threshold rules and an Isolation Forest."""
