"""Route handlers, grouped by domain."""
