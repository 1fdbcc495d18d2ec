"""The health check load balancers poll at /health/: the database, the cache and the broker.

It needs no credentials and says only which of the three answers (HTML, or JSON with
?format=json or Accept: application/json); 500 when one does not. The cache being down does not
stop the API (the rate limiter fails open, partners.api.throttling), so a balancer may treat it
as a warning; the database being down does.
"""

import dataclasses
import datetime

from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis, or the embedded filesystem broker)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from loyalty.celery import app

        try:
            with app.connection_for_write(connect_timeout=2) as connection:
                connection.connect()
        except Exception as exc:  # each transport raises its own connection errors
            raise ServiceUnavailable("The broker does not accept connections.") from exc


health_view = HealthCheckView.as_view(checks=[Database, Cache, Broker])
