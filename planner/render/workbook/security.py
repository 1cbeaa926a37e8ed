"""The Certificates and Firewall sheets: the design's certificate plan and port matrix (planner.security)."""
from __future__ import annotations

from planner.render.workbook.inventory import Book
from planner.render.workbook.xlsx import Col, Sheet
from planner.security import certificates, firewall


def certificates_sheet(book: Book) -> Sheet:
    plan = certificates(book.design)
    sheet = Sheet("Certificates", freeze="A2")
    table = sheet.table("tblCertificates", [Col("Subject", width=34), Col("SANs", width=50, wrap=True), Col("CA"),
                                            Col("Installed on", width=40, wrap=True), Col("Role"),
                                            Col("Purpose", width=50, wrap=True)], len(plan))
    book.add(table, [[c.subject, ", ".join(c.sans), c.ca, ", ".join(c.installed_on), c.role, c.purpose]
                     for c in plan])
    return sheet


def firewall_sheet(book: Book) -> Sheet:
    rules = firewall(book.design)
    sheet = Sheet("Firewall", freeze="A2")
    table = sheet.table("tblFirewall", [Col("Source tier"), Col("Source", width=30), Col("Destination tier"),
                                        Col("Destination", width=30), Col("Port"), Col("Protocol"),
                                        Col("Crosses a firewall"), Col("Purpose", width=50, wrap=True)], len(rules))
    book.add(table, [[r.source_zone, r.source, r.destination_zone, r.destination, r.port, r.protocol,
                      "yes" if r.crosses_firewall else "no", r.purpose] for r in rules])
    return sheet
