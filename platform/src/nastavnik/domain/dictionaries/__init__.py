"""The mentoring dictionaries (forms, role models, kinds, durations) and a region's own entries."""
