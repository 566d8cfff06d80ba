"""Physics-based simulator of charging sessions with labelled anomaly injection."""

from models.simulator.session import Label, SimulatedSession, simulate_session

__all__ = ["Label", "SimulatedSession", "simulate_session"]
