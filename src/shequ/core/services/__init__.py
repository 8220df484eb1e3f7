"""Core services: the writes of regions, accounts, calendar and audit."""
