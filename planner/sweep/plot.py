"""The sweep's picture: cost against resilience, the Pareto front joined (matplotlib, SVG and PNG)."""
from __future__ import annotations

import io

from planner.sweep.compare import Row


def pareto_plot(rows: list[Row], title: str, currency: str) -> dict[str, bytes]:
    """pareto.svg and pareto.png of the solved variants; byte-identical for the same rows."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "stampplan", "svg.fonttype": "none", "font.size": 14,
                         "font.family": "DejaVu Sans"})
    solved = [r for r in rows if r.solved]
    fig, ax = plt.subplots(figsize=(10, 5.6), dpi=100)  # 16:9, fits a slide
    front = sorted((r for r in solved if "resilience" in r.pareto), key=lambda r: (score(r), r.total))
    others = [r for r in solved if r not in front]
    ax.scatter([score(r) for r in others], [r.total for r in others], color="#9aa5b1", label="variant", zorder=2)
    ax.plot([score(r) for r in front], [r.total for r in front], "-o", color="#1f4e78",
            label="Pareto-optimal", zorder=3)
    for r in front:
        ax.annotate(r.variant, (score(r), r.total), textcoords="offset points", xytext=(6, 6), fontsize=10)
    ticks = sorted({score(r) for r in solved})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("host failures survived, summed over management, compute and edge (+1 for a rack)")
    ax.set_ylabel(f"total cost over the term ({currency})")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.set_title(title)
    ax.grid(True, color="#dddddd", zorder=0)
    ax.legend(loc="upper left")
    fig.tight_layout()
    files = {}
    for kind, meta in (("svg", {"Date": None, "Creator": "stampplan"}), ("png", {"Software": "stampplan"})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=kind, metadata=meta)
        files[f"pareto.{kind}"] = buffer.getvalue()
    plt.close(fig)
    return files


def score(r: Row) -> int:
    """One number for the x axis: the host failures survived per purpose, summed, plus one for a rack."""
    return sum(r.resilience)
