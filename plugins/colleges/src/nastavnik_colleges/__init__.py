"""Nastavnik plugin for professional educational organisations (СПО): student and employer forms."""
