"""`python -m commands` runs the `aid` command line."""

from commands.cli.main import main

main()
