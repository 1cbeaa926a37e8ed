"""stampplan: design and prove the management stamp of a Microsoft private cloud."""
import os

# openpyxl serialises with lxml when it is importable (python-pptx, of the deck, brings it) and with the
# standard library otherwise, in other bytes: set before any openpyxl import, bom.xlsx is always the latter.
os.environ["OPENPYXL_LXML"] = "False"
# numpy's OpenBLAS starts a thread per core when it loads (0.1 CPU s on 2 cores, taken from the render child):
# the planner's numpy work (solve/backup2.py, cover.py) calls no BLAS routine. A user's own setting stands.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# pydantic looks for plugins in every installed distribution's entry points when it builds its first model (0.01 s
# of every command, before a plan's render process is forked); stampplan uses none. A user's own setting stands.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
