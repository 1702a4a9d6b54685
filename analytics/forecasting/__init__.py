"""Early warning: forecasts of matters per cell and category group, and their measured skill.

``data`` builds the cell × group × period count cube, ``baselines`` and ``models`` forecast it
behind one interface (``fit(history)`` then ``predict(start)``), ``yardsticks`` scores a forecast
(PAI, PEI, hit rate, Brier), ``backtest`` rolls the origin over the last periods and
``outlook`` gives the flagged cells of the next period with their drivers.
"""
