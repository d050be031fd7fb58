"""Builders of the product's default .docx templates (``nastavnik/domain/documents/templates/``).

Their output is committed in the product's package, which reads it as package data; the builders
and python-docx's writing side stay here: ``python -m nastavnik_dev.documents.build_templates`` (the
orders, the plan and the journal), ``build_completion_templates`` (the report and the letters),
``build_methodical_templates`` (the methodical work's seven documents) and ``build_training_templates``
(«Свидетельство наставника»).
"""
