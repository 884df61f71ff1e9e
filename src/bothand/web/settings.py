"""The app's settings now live in ``bothand.settings`` (one for the command line and the web
app); this name is kept so existing imports keep working."""

from bothand.settings import Settings

__all__ = ["Settings"]
