"""The Slack surface: one module per command, action or view, each a thin adapter over one operation.

`handlers.listeners.register` binds every listener to an app; Block Kit builders live in
`handlers.views`.
"""
