"""The mentoring programme: its stages and roadmap, pairs and groups, matching, orders, completion."""
