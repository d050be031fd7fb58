"""Administration: regions, their municipalities and their staff, kept without the demo seed."""
