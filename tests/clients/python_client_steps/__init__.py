"""The steps of tests/clients/python_client_script.py, by what they exercise.

- `support`: the generated package reached by name, the three clients and the operations,
  and the checks that raise `Mismatch`;
- `reads`: the H20 of the shipped demo: its state, its history and the filtered lists;
- `writes`: an event, a batch, and the new chip read once the projections reach them;
- `webhooks`: the subscription and its deliveries.

The script's folder is first on sys.path when it runs, so this is the top-level package
`python_client_steps` there. Only the standard library is imported: it runs in the
generator's venv, where the project is not installed.
"""
