"""Publishes JSON messages with kombu, as a Python producer would: kombu_publish.py URL QUEUE BODIES_JSON [COMPRESSION].

BODIES_JSON is a JSON array; each element is sent as one message with kombu's json serializer (and the given
compression, if any) to the default exchange with the queue's name as routing key. The queue must exist.
"""
import json
import sys

from kombu import Connection, Producer

url, queue, bodies = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
compression = sys.argv[4] if len(sys.argv) > 4 else None

with Connection(url, transport_options={"confirm_publish": True}) as connection:
    # kombu 5.2's Producer(exchange="") raises TypeError: leave the exchange out for the default one.
    producer = Producer(connection.channel(), serializer="json")
    for body in bodies:
        producer.publish(body, routing_key=queue, compression=compression, declare=[], retry=False)
print("published", len(bodies))
