"""The web layer: Litestar app, controllers, templates. Controllers call services; they build no queries."""
