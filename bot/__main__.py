"""`python -m bot` runs the `tagih` command line."""

from bot.cli.main import main

main()
