"""Signals other apps hook into without incidents importing them (the layering forbids it)."""

from django.dispatch import Signal

# Sent inside the transaction that resolves or fails a matter, after its trail event, with
# ``incident`` (locked) and ``at``: dispatch ends the assignments still live on it.
handling_ended = Signal()

# Sent inside the transaction of `load_demo_incidents --force` before the synthetic matters are
# deleted: dispatch removes its assignments on them (they protect the matters).
synthetic_incidents_deleting = Signal()
