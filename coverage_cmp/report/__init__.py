"""Report: render the records of earlier stages for people (terminal) and programs (JSON)."""
