"""The Excel bill of materials (bom.xlsx): Summary, Hosts, VMs, SQL, Licences, Growth (with a growth section),
IP plan, Certificates, Firewall, Failover, Failover map and Assumptions; and failover.csv, every restart
(docs/bom.md)."""
from __future__ import annotations

from pydantic import ValidationError

from planner.errors import InputError
from planner.model.design import Design
from planner.model.load import format_validation_error
from planner.model.requirements import Requirements
from planner.licensing import licensing
from planner.render.cells import defused
from planner.render.workbook.costs import licences_sheet, summary_sheet
from planner.render.workbook.growth import growth_sheet
from planner.render.workbook.failover import CSV_NAME, Scenario, failover_csv, failover_scenarios, failover_sheets
from planner.render.workbook.inventory import Book, assumptions_sheet, hosts_sheet, ip_sheet, sql_sheet, vms_sheet
from planner.render.workbook.security import certificates_sheet, firewall_sheet
from planner.render.workbook.xlsx import write_workbook

ORDER = ("Summary", "Hosts", "VMs", "SQL", "Licences", "Growth", "IP plan", "Certificates", "Firewall", "Failover", "Failover map", "Assumptions")


def artifacts(design: Design) -> dict[str, bytes]:
    """bom.xlsx and failover.csv of `design` (deterministic bytes)."""
    book = _book(design)
    scenarios = failover_scenarios(book)
    return {"bom.xlsx": _write(book, scenarios), CSV_NAME: failover_csv(scenarios)}


def workbook(design: Design) -> bytes:
    """bom.xlsx of `design` (deterministic bytes)."""
    book = _book(design)
    return _write(book, failover_scenarios(book))


def _book(design: Design) -> Book:
    design = defused(design)  # no text from the design becomes a live formula (nor a CSV cell)
    req = requirements_of(design)
    return Book(design, req, licensing(design, req))


def _write(book: Book, scenarios: list[Scenario]) -> bytes:
    design = book.design
    sheets = [vms_sheet(book), hosts_sheet(book), sql_sheet(book), licences_sheet(book), ip_sheet(book),
              certificates_sheet(book), firewall_sheet(book), *failover_sheets(book, scenarios), assumptions_sheet(book)]
    sheets += [summary_sheet(book), *filter(None, [growth_sheet(book)])]
    by_title = {s.title: s for s in sheets}
    return write_workbook([by_title[t] for t in ORDER if t in by_title], title=f"Bill of materials: {design.name}")


def requirements_of(design: Design) -> Requirements:
    """The requirements the design answers; InputError when they no longer validate."""
    try:
        req = Requirements.model_validate(design.requirements)
    except ValidationError as err:
        raise InputError(format_validation_error(err, f"{design.name}: requirements in the design")) from None
    models = {m.name for m in req.hardware.host_models}
    unknown = sorted({h.model for h in design.hosts} - models)
    if unknown:
        raise InputError(f"{design.name}: host model(s) {', '.join(unknown)} not in the design's "
                         "requirements (hardware.host_models)")
    return req
