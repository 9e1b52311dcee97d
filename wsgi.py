"""The WSGI entry point: ``gunicorn wsgi:app``."""

from credentials import create_app

app = create_app()
