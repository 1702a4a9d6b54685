"""The demo county's synthetic road network (loaded by ``make demo``)."""
