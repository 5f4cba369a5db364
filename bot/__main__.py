"""`python -m bot` runs the `holdfast` command line."""

from bot.cli import main

main()
