"""The composition root: builds clients from settings, wires services, starts processes (CLI, ASGI)."""
