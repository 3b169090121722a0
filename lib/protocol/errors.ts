/**
 * Error bodies (PROTOCOL §3): every JSON error is `{ error: { code, message, issues? } }`.
 * `issues` carries validation details in zod's shape (path + message + code); it is the only
 * structured detail an error exposes — never stack traces or database messages.
 */
import { z } from "zod";
import { errorCodeSchema } from "./codes";

/** One validation issue as it travels: paths hold only strings and array indexes. */
export const issueSchema = z.looseObject({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type Issue = z.infer<typeof issueSchema>;

export const errorDetailSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  issues: z.array(issueSchema).optional(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const errorBodySchema = z.object({ error: errorDetailSchema });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Converts zod issues into wire issues: symbol path segments become strings, and only
 * `code`, `path`, `message` (plus `keys` for unrecognized keys) are kept, so no input values leak.
 */
export function toIssues(issues: readonly z.core.$ZodIssue[], pathPrefix: readonly (string | number)[] = []): Issue[] {
  return issues.map((issue) => {
    const out: Issue = {
      code: issue.code,
      path: [...pathPrefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      message: issue.message,
    };
    if (issue.code === "unrecognized_keys") out.keys = [...issue.keys];
    return out;
  });
}
