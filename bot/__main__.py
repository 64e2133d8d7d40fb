"""`python -m bot` runs the `tagih` command line."""

from bot.cli import main

main()
