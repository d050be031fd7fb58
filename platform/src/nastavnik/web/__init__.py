"""The web plumbing: the Litestar app, errors, CSRF, sessions, forms, OpenAPI, rendering, the layout
templates, and the routes of no domain (the root's redirect, the audit log). Each domain's controllers are
in its ``routes`` modules; controllers call services and build no queries."""
