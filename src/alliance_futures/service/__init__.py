"""The web service and dashboard (FastAPI): the public API over HTTP."""

from .app import create_app

__all__ = ["create_app"]
