"""`python -m commands` runs the `aid` command line."""

from .main import main

main()
