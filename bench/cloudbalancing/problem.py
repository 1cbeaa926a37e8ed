"""The mixed-machine placement input: machines with capacities and prices, items with demands."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MixedProblem:
    caps: np.ndarray  # machines x resources
    costs: np.ndarray  # machines
    demands: np.ndarray  # items x resources
