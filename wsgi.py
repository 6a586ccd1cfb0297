"""The one module-level application, for gunicorn and `flask --app wsgi`."""

from meridian import create_app

app = create_app()
