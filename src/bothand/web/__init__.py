"""The web app: server-rendered pages of the decision flow, the JSON API, and static files.
Built by ``create_app(settings)``; nothing is created at import."""
