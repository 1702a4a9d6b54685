"""The 10-minute service circle (便民服务圈): service points, who is within reach, where to add one.

- ``models``: ``ServicePoint`` (mediation rooms, stationed windows, mediators' home bases).
- ``io`` / ``services``: import from GeoJSON, GeoPackage, Shapefile or CSV with lon/lat.
- ``reach``: the covered share of each grid cell's residents (``coverage``) and the greedy choice
  of new sites among village centres (``suggest``).
- ``report``: per-area tables for the API and the briefing.
"""
