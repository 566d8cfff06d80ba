"""`/v1/statistics`: tenant-wide figures about sessions, anomalies, stations, uptime and revenue."""
