"""`/v1/stations` endpoints: station list, lookup, detail, SHADE history, connectors, energy, overview."""
