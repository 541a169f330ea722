"""A small authoritative DNS server on loopback (UDP, dnspython): the sandbox's DNS beside the
LogicBoxes simulator, and the tests' real DNS server for the DNS check.

It serves zone texts as written; a name outside every zone, or missing from its zone, is NXDOMAIN.
With `silent`, it reads queries and never answers: a resolver that does not answer in time; with
`failing`, it answers SERVFAIL to everything: a resolver that cannot resolve.
"""

from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone


class ZoneServer:
    def __init__(self, zones: dict[str, str] | None = None, silent: bool = False, failing: bool = False):
        self.zones = {
            dns.name.from_text(origin): dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
            for origin, text in (zones or {}).items()
        }
        self.silent, self.failing = silent, failing
        self.queries: list[tuple[str, str]] = []  # (name, type) asked, for tests
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        host, port = self._sock.getsockname()
        self.address = f"{host}:{port}"  # as DNS_RESOLVERS takes it
        self._stopped = threading.Event()

    def set_zone(self, origin: str, text: str | None) -> None:
        """Replace one zone (None: remove it, so its names are NXDOMAIN): tests change DNS between rounds."""
        name = dns.name.from_text(origin)
        zones = dict(self.zones)
        if text is None:
            zones.pop(name, None)
        else:
            zones[name] = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
        self.zones = zones  # one assignment: a query in flight sees the old zones or the new

    def start(self) -> ZoneServer:
        threading.Thread(target=self._serve, name="zone-server", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                wire, peer = self._sock.recvfrom(4096)
            except OSError:
                return
            try:
                query = dns.message.from_wire(wire)
            except Exception:
                continue
            question = query.question[0]
            self.queries.append((question.name.to_text(omit_final_dot=True), dns.rdatatype.to_text(question.rdtype)))
            if self.silent:
                continue
            try:
                self._sock.sendto(self._answer(query).to_wire(), peer)
            except OSError:
                return

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self.failing:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response
        question = query.question[0]
        zone = next((z for origin, z in self.zones.items() if question.name.is_subdomain(origin)), None)
        node = zone.get_node(question.name) if zone is not None else None
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        rdataset = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
        if rdataset is not None:
            response.answer.append(dns.rrset.from_rdata_list(question.name, rdataset.ttl, list(rdataset)))
        return response
