/**
 * A zod error as one short line: each issue as `path: message`, a union's issues from the branch
 * the input came closest to. Shared kernel: zod only.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/**
 * One line per issue, "path: message". A union that failed is reported by the branch that got
 * furthest (a value of the right type with a bad field beats a bad value, which beats a value of
 * the wrong type), not as zod's bare "Invalid input".
 */
function flatten(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const rank = (branch: Issue[]) => {
      const top = branch.filter((i) => i.path.length === 0);
      return top.length === 0 ? 0 : top.every((i) => i.code === 'invalid_type') ? 2 : 1;
    };
    const best = Math.min(...issue.errors.map(rank));
    const chosen = issue.errors.filter((b) => rank(b) === best);
    if (chosen.length === 1) return chosen[0]!.flatMap((i) => flatten(i, path));
  }
  return [{ path, message: issue.message }];
}

export function describeIssues(error: { issues: readonly Issue[] }): string {
  return error.issues
    .flatMap((i) => flatten(i, []))
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
