/** A Postgres unique violation (SQLSTATE 23505), of the named constraint when one is given. */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
  && (constraint === undefined || (error as { constraint?: string }).constraint === constraint);
