"""Keyword-only async query functions over the models, one module per subject."""
