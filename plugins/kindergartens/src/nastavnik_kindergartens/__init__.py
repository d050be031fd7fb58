"""Nastavnik plugin for preschool organisations (ДОО): the teachers' regime only."""
