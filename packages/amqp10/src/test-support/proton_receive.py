"""Receives argv[3] messages from address argv[2] of the broker at argv[1] with the Python Qpid Proton client,
accepts each, and prints them as one JSON list: body (bytes as {"$binary": hex}), properties, application
properties."""
import json
import sys

from proton.utils import BlockingConnection


def plain(value):
    if isinstance(value, (bytes, memoryview)):
        return {'$binary': bytes(value).hex()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def main():
    url, address, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mechs = 'PLAIN' if '@' in url else 'ANONYMOUS'
    connection = BlockingConnection(url, timeout=20, allowed_mechs=mechs)
    receiver = connection.create_receiver(address, credit=count)
    received = []
    for _ in range(count):
        message = receiver.receive(timeout=20)
        received.append({
            'body': plain(message.body),
            'properties': {
                'id': plain(message.id),
                'correlation_id': plain(message.correlation_id),
                'subject': message.subject,
                'reply_to': message.reply_to,
                'content_type': None if message.content_type is None else str(message.content_type),
                'content_encoding': None if message.content_encoding is None else str(message.content_encoding),
                'durable': message.durable,
                'priority': message.priority,
            },
            'application_properties': plain(message.properties or {}),
        })
        receiver.accept()
    connection.close()
    print(json.dumps(received))


main()
