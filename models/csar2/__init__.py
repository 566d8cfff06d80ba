"""CSAR-2: Charging Session Anomaly Recognition, version 2 (DESIGN.md section 4)."""
