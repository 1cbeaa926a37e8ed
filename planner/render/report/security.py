"""The report's "Certificates and firewall" section: the certificate plan and the port matrix (planner.security)."""
from __future__ import annotations

from html import escape

from planner.render.design_index import Facts
from planner.render.report.tables import table
from planner.security import certificates, firewall


def section(facts: Facts) -> str:
    """Every certificate (subject, SANs, CA, where installed) and every flow the firewalls must pass."""
    certs = [[escape(c.subject), escape(", ".join(c.sans)), escape(c.ca), escape(", ".join(c.installed_on)),
              escape(c.purpose)] for c in certificates(facts.design)]
    rules = [[escape(r.source_zone), escape(r.source), escape(r.destination_zone), escape(r.destination),
              escape(r.port), escape(r.protocol), "yes" if r.crosses_firewall else "no"]
             for r in firewall(facts.design)]
    return ("<h3>Certificates</h3>" + table(["subject", "SANs", "CA", "installed on", "purpose"], certs)
            + '<h3>Firewall and ports</h3><p class="note">Derived from the roles\' flows; rows that cross a '
            'firewall (Internet, DMZ, management, provider address) are the rules to open.</p>'
            + '<div class="scroll">' + table(["source tier", "source", "destination tier", "destination", "port",
                                              "protocol", "crosses a firewall"], rules) + "</div>")
