"""Tagih: an omnichannel accounts-receivable reminder and chat bot."""
