"""Nastavnik's development tools, never installed in a region (distribution ``nastavnik-dev``).

- :mod:`nastavnik_dev.commands`: ``nastavnik demo`` and ``nastavnik seed``, added to the product's CLI
  through the ``nastavnik.commands`` entry-point group;
- :mod:`nastavnik_dev.embedded`: embedded PostgreSQL and Redis for settings that name none (the
  ``nastavnik.embedded_services`` entry point; the tests start them the same way);
- :mod:`nastavnik_dev.demo`: the demo region and its people mirrored into the development issuer;
- :mod:`nastavnik_dev.issuer`: a Keycloak-compatible development issuer for the demo and the tests;
- :mod:`nastavnik_dev.documents`: the builders of the product's committed .docx templates.

Everything here refuses production; the product imports none of it (see ``nastavnik.development``).
"""
