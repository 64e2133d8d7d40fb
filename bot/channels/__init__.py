"""One module per provider; `base` holds the Channel protocol."""
