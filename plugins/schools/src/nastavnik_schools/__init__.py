"""Nastavnik plugin for general education schools: forms of mentoring and subject decades."""
