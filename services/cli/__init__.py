"""`regtl`, the command line (docs/cli.md): `services.cli.main:main`, or `python -m services.cli`."""
