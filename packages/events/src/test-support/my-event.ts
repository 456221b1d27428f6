import { z } from 'zod';

/** The event the cross-process tests exchange; both processes register it under the same name. */
export class MyEvent {
  constructor(
    readonly name: string,
    readonly seq: number,
  ) {}

  /** A method: shows that the receiver rebuilt the class, not a plain object. */
  label(): string {
    return `${this.name}#${this.seq}`;
  }
}

/** MyEvent's data, checked on both sides. */
export const myEventSchema = z.object({ name: z.string().min(1), seq: z.number().int().nonnegative() });
