"""Nastavnik plugin for general education schools: forms of mentoring, the methodical work in their words."""
