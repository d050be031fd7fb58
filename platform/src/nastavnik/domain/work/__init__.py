"""The work of a pair: its development plan, journal and their exports."""
