"""Questionnaires: the region's templates, assignment to pairs at start and end, answers, results."""
