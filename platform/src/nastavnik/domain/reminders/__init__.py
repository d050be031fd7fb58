"""Reminders: the daily scan that writes what is due into the notifications' outbox (docs/notifications.md).

It reads the questionnaires, the plans, the programme's roadmap and the methodical work, so it comes last
in :data:`nastavnik.domain.DOMAINS`; the events that happen in a request (a pair formed, ended, an account
created) are written by their own domains, in their own transactions.
"""
