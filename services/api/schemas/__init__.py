"""The shapes of the API's answers, for the OpenAPI document (docs/api.md, "Answers").

Routes render canonical JSON themselves (sorted keys, canonical times and decimals, see
docs/api.md, "Answers"); these models only describe it, and the test suite checks every answer it
receives against the published document.
"""
