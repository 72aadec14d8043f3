"""Evaluating the PLADECO (issue 13): physical progress, roll-ups, evaluation cuts, report data."""
