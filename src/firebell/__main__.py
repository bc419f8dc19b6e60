"""`python -m firebell` is the `firebell` command."""

from firebell.cli import main

main(prog_name="firebell")
