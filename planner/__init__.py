"""stampplan: design and prove the management stamp of a Microsoft private cloud."""
import os

# openpyxl serialises with lxml when it is importable (python-pptx, of the deck, brings it) and with the
# standard library otherwise, in other bytes: set before any openpyxl import, bom.xlsx is always the latter.
os.environ["OPENPYXL_LXML"] = "False"
