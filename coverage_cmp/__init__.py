"""coverage-cmp: how each outlet's report of an event departs from the release."""

__version__ = "0.1.0"
