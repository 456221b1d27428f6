import { z } from 'zod';
import { PulseMessage } from './base.js';

/** Fields of a posted build. */
export interface BuildPostedData {
  /** The build id. */
  build_id: string;
  /** The source revision. */
  revision: string;
  /** Where to download it. */
  url: string;
  /** The repository it was built from. */
  repository: string;
  /** Such as `firefox`. */
  product: string;
  /** The product version. */
  product_version: string;
  /** Such as `en-US`. */
  locale: string;
  /** Such as `linux64`. */
  platform: string;
  /** When it was built. */
  build_date: string | number;
  /** Such as `tar.bz2`. */
  package_type: string;
  /** Any further field. */
  [extra: string]: unknown;
}

/** Validates a posted build. */
export const buildPostedSchema: z.ZodType<BuildPostedData> = z
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
export class BuildPostedMessage extends PulseMessage<BuildPostedData> {
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
