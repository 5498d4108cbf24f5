"""Reference Django payments app: the app under test, in variants."""
