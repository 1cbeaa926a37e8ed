"""A sweep's output folder: sweep.json (what ran, how each variant ended), the comparison, the plot, and
each variant's design.json; and reading one back for --resume."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from planner.settings import SolverSettings
from planner.sweep.compare import Row, mark_pareto, row, to_csv, to_markdown, to_workbook
from planner.sweep.plot import pareto_plot
from planner.sweep.run import Outcome
from planner.sweep.slides import options_deck
from planner.sweep.spec import Variant

FORMAT = "stampplan.sweep/1"


def fingerprint(variant: Variant, settings: SolverSettings) -> str:
    """What a variant's result depends on: its requirements and the solver settings."""
    text = json.dumps([variant.data, settings.time_limit, settings.workers, settings.seed], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rows_of(base: dict, variants: list[Variant], outcomes: dict[str, Outcome]) -> list[Row]:
    """One comparison row per variant, in the sweep's order, Pareto-optimal ones marked."""
    rows = [row(v, outcomes[v.slug], base) if v.slug in outcomes
            else Row(v.name, v.slug, v.differs(base), "not run", "stopped before it was planned: --resume plans it")
            for v in variants]
    mark_pareto(rows)
    return rows


def sweep_files(name: str, base: dict, variants: list[Variant], outcomes: dict[str, Outcome],
                settings: SolverSettings) -> tuple[dict[str, bytes], list[Row]]:
    """Every file of the sweep folder (relative name -> bytes), and the rows compared."""
    rows = rows_of(base, variants, outcomes)
    currency = (base.get("cost") or {}).get("currency", "USD")
    title = f"{name}: {len(variants)} variants"
    record = {"format": FORMAT, "name": name,
              "settings": {"time_limit": settings.time_limit, "workers": settings.workers, "seed": settings.seed},
              "variants": [{"name": v.name, "folder": v.slug, "changes": v.changes,
                            "fingerprint": fingerprint(v, settings), "status": r.status, "message": r.message}
                           for v, r in zip(variants, rows)]}
    files = {"sweep.json": (json.dumps(record, indent=2, sort_keys=False) + "\n").encode(),
             "comparison.csv": to_csv(rows), "comparison.md": to_markdown(rows, title),
             "comparison.xlsx": to_workbook(rows, title, currency), **pareto_plot(rows, title, currency)}
    files["options.pptx"] = options_deck(rows, title, currency, files["pareto.png"])
    for v in variants:
        outcome = outcomes.get(v.slug)
        if outcome and outcome.design:
            files[f"variants/{v.slug}/design.json"] = outcome.design.encode()
    return files, rows


def finished(folder: Path, variants: list[Variant], settings: SolverSettings) -> dict[str, Outcome]:
    """The outcomes a previous run of the same sweep left in `folder` (same requirements and settings)."""
    try:
        record = json.loads((folder / "sweep.json").read_text())
        kept = {entry["folder"]: entry for entry in record["variants"] if entry["status"] != "not run"}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    outcomes = {}
    for v in variants:
        entry = kept.get(v.slug)
        if entry is None or entry.get("fingerprint") != fingerprint(v, settings):
            continue
        design = folder / "variants" / v.slug / "design.json"
        text = design.read_text() if design.is_file() else None
        if entry["status"] == "ok" and text is None:
            continue
        outcomes[v.slug] = Outcome(v.slug, entry["status"], entry.get("message", ""), text, 0.0)
    return outcomes
