"""Pairs and groups of a programme: forming, matching and suggestions, orders."""
