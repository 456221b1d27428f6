import { ValidationError } from './errors.js';

/**
 * The part of a zod schema warren uses (zod 3 and 4 both fit, as does anything with the same `safeParse`).
 * `T` is the type a valid body has.
 */
export interface BodySchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: readonly BodyIssue[] } };
}

export interface BodyIssue {
  readonly path: readonly PropertyKey[];
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
