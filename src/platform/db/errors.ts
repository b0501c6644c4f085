/** True when a driver error is PostgreSQL's unique_violation (SQLSTATE 23505), on either driver. */
export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === '23505'
  );
}
