"""What one VMM stamp can manage, and how many stamps the tenants need: every sourced VMM scale limit."""
from __future__ import annotations

import math
from dataclasses import dataclass

from planner.catalog import load_catalog
from planner.model.requirements import Requirements


@dataclass(frozen=True)
class StampLimit:
    """One VMM scale limit as a floor on the stamp count: `need` objects, at most `per_stamp` on one VMM server."""

    what: str                 # e.g. "tenant user roles"
    need: int
    per_stamp: int
    fields: tuple[str, ...]   # the requirement fields that set `need`
    note: str = ""            # how per_stamp comes about, when it is not the limit itself

    @property
    def stamps(self) -> int:
        return max(1, math.ceil(self.need / self.per_stamp))

    @property
    def arithmetic(self) -> str:
        return f"⌈{self.need:,} {self.what} / {self.per_stamp:,} per VMM server{self.note}⌉ = {self.stamps:,}"


@dataclass(frozen=True)
class StampCapacity:
    """What one VMM stamp (one VMM server, registered as a stamp in the design's one SPF) manages."""

    max_vms: int              # every VM of the stamp
    max_hosts: int
    max_user_roles: int       # each WAP VM Clouds subscription (a tenant) is one VMM tenant user role
    max_vm_networks: int      # each NVGRE tenant owns at least one VM network
    management_vms: int       # of max_vms, kept for the stamp's own management and edge VMs

    @property
    def tenant_vms(self) -> int:
        return self.max_vms - self.management_vms

    def stamps_for(self, tenant_vms: int) -> int:
        """The fewest stamps that hold `tenant_vms` tenant VMs (at least one)."""
        return max(1, math.ceil(tenant_vms / self.tenant_vms))

    def limits(self, req: Requirements) -> list[StampLimit]:
        """Every VMM limit that the tenants of `req` count against (hosts are counted after placement)."""
        vm_fields = ("tenants.count", "tenants.vms_per_tenant") + (("tenants.vm_roles",) if req.tenants.vm_roles else ())
        return [StampLimit("tenant VMs", req.tenant_vm_count(), self.tenant_vms, vm_fields,
                           f" ({self.max_vms:,} less {self.management_vms:,} kept for management VMs)"),
                StampLimit("tenant user roles", req.tenants.count, self.max_user_roles, ("tenants.count",)),
                StampLimit("VM networks", req.vm_networks(req.tenants.count), self.max_vm_networks,
                           ("tenants.count", "tenants.vm_networks_per_tenant"))]

    def driver(self, req: Requirements) -> StampLimit:
        """The limit that needs the most stamps (the first listed on a tie)."""
        return max(self.limits(req), key=lambda lim: lim.stamps)

    def reason(self, req: Requirements, stamps: int) -> str:
        """Which limit drives a design of `stamps` stamps, with the arithmetic of every limit."""
        lead, others = self.driver(req), self.limits(req)
        head = "every VMM limit fits one server" if lead.stamps == 1 else f"driven by VMM {lead.what}"
        text = f"{head}: {lead.arithmetic}" + "".join(
            f"; {lim.what}: {lim.arithmetic}" for lim in others if lim != lead)
        if stamps > lead.stamps:
            text += (f"; with {lead.stamps} a stamp passed {self.max_hosts:,} hosts or {self.max_vms:,} VMs after "
                     f"placement, so stamps were added")
        return text


def max_stamps() -> int:
    """Stamps one WAP/SPF serves (catalog max_stamps, dn457793)."""
    return load_catalog().limit("max_stamps", "any").value


def stamp_capacity(version: str) -> StampCapacity:
    """The capacity of one stamp for System Center `version`, from the catalog's sourced VMM limits."""
    catalog = load_catalog()
    return StampCapacity(
        max_vms=catalog.limit("vmm_max_vms", version).value, max_hosts=catalog.limit("vmm_max_hosts", version).value,
        max_user_roles=catalog.limit("vmm_max_user_roles", version).value,
        max_vm_networks=catalog.limit("vmm_max_vm_networks", version).value,
        management_vms=catalog.limit("stamp_management_vms", version).value)
