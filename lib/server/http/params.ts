import "server-only";
import { z } from "zod";
import { errors } from "@/lib/server/errors";

const uuid = z.uuid();

/** A path id must be a UUID; anything else is a 400, never a database error. */
export function idParam(value: string | undefined): string {
  if (!uuid.safeParse(value).success) throw errors.validation("The id in the path is not a valid UUID");
  return value as string;
}
