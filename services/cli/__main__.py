"""`python -m services.cli …`: the same as `regtl …`."""

from services.cli.main import main

main()
