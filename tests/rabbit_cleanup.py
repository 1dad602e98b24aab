"""Removing the queues a test run declared on the shared RabbitMQ (by their unique prefix)."""

from __future__ import annotations

import contextlib

import pika

QUEUES = ("default", "events", "periodic", "analytics-export")


def delete_prefixed_queues(url: str, prefix: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        for queue in QUEUES:
            for name in (f"{prefix}{queue}", f"{prefix}{queue}.DQ", f"{prefix}{queue}.XQ"):
                channel = connection.channel()
                with contextlib.suppress(pika.exceptions.ChannelClosedByBroker):
                    channel.queue_delete(queue=name)
                with contextlib.suppress(Exception):
                    channel.close()
    finally:
        connection.close()
