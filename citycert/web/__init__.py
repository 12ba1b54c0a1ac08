"""CityCert web layer: the portal app (`create_app`) over the services; see `app.py`."""

from citycert.web.app import create_app

__all__ = ["create_app"]
