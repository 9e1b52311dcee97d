"""Persistence: engine and session setup, models, migrations and file stores."""
