"""Business rules as plain functions. Nothing here imports Flask; the session, actor and clock are passed in."""
