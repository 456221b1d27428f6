// A strict TypeScript application: subclasses Publisher and Consumer carrot-style and replies to a request.
// Type-checked with moduleResolution node16 and bundler, then run (compiled with node16).
import { Consumer, connect, type Message, Publisher } from '@warren/core';

interface Request {
  n: number;
}
interface Reply {
  doubled: number;
}

class RequestPublisher extends Publisher<Request> {
  override exchange = 'packaging.requests';
  override exchangeType = 'direct';
  override routingKey = 'double';
}

class Doubler extends Consumer<Request> {
  override queue = 'packaging.double';
  override exchange = 'packaging.requests';
  override routingKey = 'double';
  readonly replies = new Publisher<Reply>(this.connection);

  override async receive(body: Request, message: Message<Request>): Promise<void> {
    const { replyTo, correlationId } = message.properties;
    if (replyTo === undefined) {
      await message.reject();
      return;
    }
    await this.replies.send({ doubled: body.n * 2 }, { routingKey: replyTo, correlationId });
    await message.ack();
  }
}

const conn = await connect(process.env.WARREN_URL ?? 'memory://strict');
const doubler = new Doubler(conn);
await doubler.consume();

await conn.declareQueue({ name: 'packaging.replies', durable: false });
const replies = new Consumer<Reply>(conn, { queue: 'packaging.replies', durable: false });
const answered = new Promise<Message<Reply>>((resolve) => {
  replies.register(async (_body, message) => {
    await message.ack();
    resolve(message);
  });
});
await replies.consume();

await new RequestPublisher(conn).send({ n: 21 }, { replyTo: 'packaging.replies', correlationId: 'req-1' });
const reply = await answered;
console.log(`strict: ${reply.body.doubled} for ${reply.properties.correlationId ?? '?'}`);

await replies.close();
await doubler.close();
await conn.close();
