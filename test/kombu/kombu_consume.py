"""Consumes messages with kombu and prints each as one JSON line: kombu_consume.py URL QUEUE COUNT TIMEOUT_S.

Each line holds the payload as kombu decoded it (decompressing by the `compression` header and deserializing by
content type), and the content type, encoding and headers it saw. Exits 1 if COUNT messages did not arrive in time.
"""
import json
import socket
import sys
import time

from kombu import Connection, Consumer, Queue

url, queue, count, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
received = []


def on_message(body, message):
    received.append(
        {
            "payload": body,
            "content_type": message.content_type,
            "content_encoding": message.content_encoding,
            "headers": message.headers,
        }
    )
    message.ack()


with Connection(url) as connection:
    with Consumer(connection, queues=[Queue(queue, no_declare=True)], callbacks=[on_message], accept=["json", "text/plain"]):
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            try:
                connection.drain_events(timeout=max(0.05, deadline - time.monotonic()))
            except socket.timeout:
                pass

for entry in received:
    print(json.dumps(entry))
sys.exit(0 if len(received) >= count else 1)
