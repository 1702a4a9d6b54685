"""The parts of bench/notify.py, one module per section (run bench/notify.py, not these)."""
