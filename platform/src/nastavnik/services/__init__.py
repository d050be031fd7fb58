"""Use cases. Each takes the acting context first and works inside its scope."""
