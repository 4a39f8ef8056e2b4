"""`python -m interviewer` runs the command-line interface."""

from interviewer.cli import main

main()
