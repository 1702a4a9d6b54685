"""The demo county's year of synthetic matters: patterns, histories, and the loader."""
