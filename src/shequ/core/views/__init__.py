"""Core pages, one module per area: shell, regions, accounts, calendar, audit."""
