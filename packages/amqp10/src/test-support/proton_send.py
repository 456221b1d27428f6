"""Sends the messages described by a JSON list on argv[3] to address argv[2] of the broker at argv[1], with the
Python Qpid Proton client (python3-qpid-proton), waiting for each to be accepted. Each item: {body, properties,
application_properties}; a body {"$binary": "<hex>"} is sent as AMQP binary."""
import json
import sys

from proton import Message
from proton.utils import BlockingConnection


def main():
    url, address, items = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    mechs = 'PLAIN' if '@' in url else 'ANONYMOUS'
    connection = BlockingConnection(url, timeout=20, allowed_mechs=mechs)
    sender = connection.create_sender(address)
    for item in items:
        body = item['body']
        if isinstance(body, dict) and '$binary' in body:
            body = bytes.fromhex(body['$binary'])
        message = Message(body=body, properties=item.get('application_properties'))
        for key, value in item.get('properties', {}).items():
            setattr(message, key, value)
        sender.send(message)
    connection.close()
    print('sent', len(items))


main()
