"""The dramatiq broker, chosen by configuration (never by a code fork).

``stub`` is the embedded mode: an in-memory broker with an in-process worker thread pool.
``amqp://`` selects RabbitMQ and ``redis://`` selects Redis; workers then run as separate
processes (``regietafel worker``).
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker


def create_broker(url: str) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if url == "stub":
        broker = StubBroker()
        broker.emit_after("process_boot")
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)  # type: ignore[no-untyped-call]
    else:
        raise ValueError(f"unsupported broker URL {url!r}")
    return broker


def ping(broker: dramatiq.Broker) -> None:
    """Raise when the broker cannot be reached."""
    if isinstance(broker, StubBroker):
        return
    from dramatiq.brokers.rabbitmq import RabbitmqBroker
    from dramatiq.brokers.redis import RedisBroker

    if isinstance(broker, RabbitmqBroker):
        broker.connection.process_data_events(time_limit=0)
    elif isinstance(broker, RedisBroker):
        broker.client.ping()


class InProcessWorker:
    """Embedded mode: a dramatiq Worker in this process, consuming the stub broker."""

    def __init__(self, broker: dramatiq.Broker, threads: int = 2) -> None:
        self._worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop(timeout=5_000)
