"""Reminders and notifications: the outbox every domain writes to, people's preferences, the region's
wording, the in-app list and the e-mail delivery (docs/notifications.md).

It comes right after ``dictionaries`` in :data:`nastavnik.domain.DOMAINS`, so that every later domain
(pairs, questionnaires, plans, clubs, accounts …) may write a notification in its own transaction
through :func:`nastavnik.domain.notifications.outbox.notify`.
"""
