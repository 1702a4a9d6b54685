"""The parts of bench/dispatch.py, one module per section (run bench/dispatch.py, not these)."""
