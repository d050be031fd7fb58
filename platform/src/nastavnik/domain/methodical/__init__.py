"""The organisation's methodical work, a building block the plugins offer in their own words.

Young teachers' clubs, subject decades (a college's weeks of its subject-cycle commissions), the
methodical council and creative groups share one shape: an association of the academic year with a
leader, members and a plan of events; attendance of the events; learners taking part in them and their
places; documents filled from templates; indicators for the region. The mechanics live here once; a
plugin declares, through ``register_associations``, which shapes it offers to its organisation types and
what they are called there (:class:`nastavnik.types.AssociationKind`).
"""
