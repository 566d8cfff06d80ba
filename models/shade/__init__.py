"""SHADE: station-level anomaly detection over station-days (see DESIGN.md §4)."""
