"""The Longxi demo county: real outline and NBS names; synthetic polygons, people and leaders."""
