"""`python -m commands` runs the `aid` command line."""

from commands.main import main

main()
