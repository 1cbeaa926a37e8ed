"""The cloud-balancing benchmark: the public instances (dataset.py), the mixed-machine placement
engine run on them (mixed.py, its LNS in lns.py) and their cost lower bounds (bounds.py).
Benchmark-only: nothing in planner/ imports it.
"""
