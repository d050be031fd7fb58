"""Bases of mentors and mentees: profiles, imports from curators' spreadsheets, exports."""
