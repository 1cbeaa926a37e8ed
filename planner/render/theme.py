"""Colours and fonts of the diagrams and the report, as data: networks, flow kinds, scales, two themes.
Role labels and colours are catalog data (planner/catalog/roles.yaml: `planner.catalog.role_colour`)."""
from __future__ import annotations

from dataclasses import dataclass

FONT = "Helvetica,Arial,sans-serif"  # the name in the DOT, SVG and report CSS: viewers pick their own
# The font `dot` measures and draws FONT with, whatever fontconfig would prefer (planner/render/machine.py pins it):
# Liberation Sans of Debian's fonts-liberation2 (bin/setup installs it), Helvetica's metrics.
FONT_DRAWN = "Liberation Sans"
INK = "#111827"  # text on role and network colours, in both themes

# network key (as in the requirements) -> (label, colour)
NETWORKS: dict[str, tuple[str, str]] = {
    "management": ("Management", "#2563EB"),
    "cluster": ("Cluster", "#7C3AED"),
    "live_migration": ("Live migration", "#DB2777"),
    "storage": ("Storage", "#D97706"),
    "provider_address": ("Provider address (NVGRE)", "#059669"),
    "dmz": ("DMZ (tenant-facing tier)", "#0891B2"),
    "external": ("External", "#DC2626"),
}


@dataclass(frozen=True)
class Scale:
    """Font sizes (points) of one drawing."""

    text: float
    small: float
    title: float
    slide: bool
    compact: bool = False  # a slide of a large design: fewer, summarised boxes
    counted: bool = False  # a page too large with every host: a stamp's clusters one table, hosts counted


PAGE = Scale(text=11, small=9, title=18, slide=False)
SLIDE = Scale(text=14, small=12, title=24, slide=True)
SLIDE_COMPACT = Scale(text=14, small=12, title=24, slide=True, compact=True)
PAGE_COUNTED = Scale(text=11, small=9, title=18, slide=False, counted=True)
@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str
    panel: str        # rack and stamp frames
    panel_line: str
    group: str        # cluster frames inside racks and stamps
    node: str         # host and cluster boxes
    node_line: str
    edge: str
    bar_track: str
    bar: str

THEMES: dict[str, Theme] = {
    "light": Theme("light", background="#FFFFFF", text="#1F2937", muted="#6B7280", panel="#F3F5F8",
                   panel_line="#9AA5B4", group="#FFFFFF", node="#FFFFFF", node_line="#94A3B8",
                   edge="#475569", bar_track="#E5E7EB", bar="#475569"),
    "dark": Theme("dark", background="#0F172A", text="#E5E7EB", muted="#9CA3AF", panel="#162033",
                  panel_line="#5B6B82", group="#1B263B", node="#223049", node_line="#64748B",
                  edge="#CBD5E1", bar_track="#3A4A63", bar="#CBD5E1"),
}


# logical-view edge kind -> (legend text, colour, Graphviz style); readable on both backgrounds
EDGES: dict[str, tuple[str, str, str]] = {
    "request": ("calls", "#64748B", "solid"),
    "auth": ("sign-in", "#CA8A04", "dashed"),
    "data": ("database", "#EA580C", "dashed"),
    "manage": ("manages", "#2563EB", "dotted"),
    "console": ("console path", "#16A34A", "solid"),
    "network": ("tenant traffic", "#DB2777", "bold"),
}

FIREWALL = "#7C2D12"  # the firewall between the DMZ and the management network (white text on it)

# cluster purpose -> accent colour (the deck's overview picture)
PURPOSES: dict[str, str] = {"management": "#2563EB", "edge": "#D97706", "compute": "#059669"}

# outline colours of HA groups (a guest cluster, a gateway pair, a farm), in turn; readable on both backgrounds
HA_OUTLINES = ("#CA8A04", "#2563EB", "#059669", "#9333EA", "#EA580C", "#0891B2", "#DB2777", "#65A30D")
# a failover drawing: the failed hosts and the restart lines
FAILED = "#DC2626"
FAILED_FILL = "#FEE2E2"  # a cell of VMs restarted by a failure
