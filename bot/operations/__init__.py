"""The application layer: one module per operation, shared by every surface.

Each operation takes the services, the acting user (`Actor`: workspace, user, time zone) and plain
input; owns its transaction, its clock reading and its workspace scoping; calls the pure rules in
`bot.rules` and the storage functions in `storage`; and returns plain data (dataclasses), never
Slack JSON. Slack handlers, the CLI, the digest job and the demo are adapters over these.
"""
