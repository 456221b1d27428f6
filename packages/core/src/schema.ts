import { ValidationError } from './errors.js';

/**
 * The part of a zod schema warren uses (zod 3 and 4 both fit, as does anything with the same `safeParse`).
 * `T` is the type a valid body has.
 */
export interface BodySchema<T> {
  /** Checks `value`: `{ success: true, data }` for a valid body, or `{ success: false, error: { issues } }`. */
  safeParse(value: unknown):
    | {
        /** The body is valid. */
        success: true;
        /** The body as the schema returns it (zod may transform it). */
        data: T;
      }
    | {
        /** The body is not valid. */
        success: false;
        /** What is wrong. */
        error: {
          /** Each problem found. */
          issues: readonly BodyIssue[];
        };
      };
}

/** One problem a schema found in a body. */
export interface BodyIssue {
  /** Where in the body the problem is (property names and array indexes; empty for the body itself). */
  readonly path: readonly PropertyKey[];
  /** What is wrong there, in the schema library's words. */
  readonly message: string;
}

/** Validates a body; a failure is a ValidationError that lists each problem with its path. */
export function validateBody<T>(schema: BodySchema<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const described = issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
  throw new ValidationError(`The message body does not match the ${where} schema: ${described}.`, { issues });
}
