"""The interface every programme connector implements, and the registry of kinds.

A connector credits one forwarding record (loyalty.models.ForwardingRecord) and says what the
programme answered as a loyalty.services.forwarding.Answer; it never touches the database.
A KrisFlyer connector is one more module with a class like partners.connectors.avios, and one
more entry in KINDS (and in ConnectorKind).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from loyalty.models import ForwardingRecord
from loyalty.services.forwarding import Answer
from partners.models import ProgrammeConnector


class Connector(ABC):
    """One programme API. `can_debit`: whether units can be taken from the programme."""

    can_debit = False

    def __init__(self, config: ProgrammeConnector):
        self.config = config

    @abstractmethod
    def credit(self, record: ForwardingRecord) -> Answer:
        """Send the record's credit once and classify the programme's answer."""


def connector_for(config: ProgrammeConnector) -> Connector:
    from partners.connectors.avios import AviosConnector

    kinds: dict[str, type[Connector]] = {"avios": AviosConnector}
    return kinds[config.kind](config)
