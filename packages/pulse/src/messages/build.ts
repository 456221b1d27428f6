import { z } from 'zod';
import { PulseMessage } from './base.js';

/** Fields of a posted build. */
export const buildPostedSchema = z
  .object({
    build_id: z.string().min(1),
    revision: z.string().min(1),
    url: z.url(),
    repository: z.string().min(1),
    product: z.string().min(1),
    product_version: z.string().min(1),
    locale: z.string().min(1),
    platform: z.string().min(1),
    build_date: z.union([z.string().min(1), z.number()]),
    package_type: z.string().min(1),
  })
  .loose();

/** A build posted for download: routing key `build.posted[.<kind>...]`. */
export class BuildPostedMessage extends PulseMessage<z.infer<typeof buildPostedSchema>> {
  /** @param kinds further routing-key parts, such as `['update', 'partial']`. */
  constructor(...kinds: string[]) {
    super({ schema: buildPostedSchema, routingParts: ['build', 'posted', ...kinds] });
  }
}

/** A normalized build or test result (the `exchange/build/normalized` format); the routing key is given. */
export class NormalizedBuildMessage extends PulseMessage {
  /** @param routingKey such as `build.mozilla-central.linux64.opt`. */
  constructor(routingKey: string) {
    super({ routingKey });
  }
}
