"""Texts and formatting for every layer: Babel formatting, the staff catalog, the reminder
templates and their rendering; pure, importing nothing of Tagih."""
