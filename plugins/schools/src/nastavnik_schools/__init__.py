"""Nastavnik plugin for general education schools: forms of mentoring and the methodical work in a school's words."""
