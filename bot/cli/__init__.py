"""The `tagih` command line: one module per command group."""
