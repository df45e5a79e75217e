"""Account test fixtures live in fixtures.py and are imported by tests/conftest.py so every capability has them."""
