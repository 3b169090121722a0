/**
 * Which fields of each record type a client may write (and are therefore merged field by field)
 * and which only the server sets. The lists are defined once, in the protocol, because the
 * push schemas enforce them; this module adds the predicates the server and the merge use.
 */
import { MUTABLE_FIELDS, type MutableField, type RecordType, SERVER_OWNED_FIELDS, type ServerOwnedField } from "../protocol";

export { MUTABLE_FIELDS, type MutableField, SERVER_OWNED_FIELDS, type ServerOwnedField };

/** The top-level field that holds form answers; each of its keys is a field of its own. */
export const DATA_FIELD = "data";

/** The top-level field whose value decides a record's form mode (draft vs submitted). */
export const STATUS_FIELD = "status";

export function isMutableField<T extends RecordType>(type: T, field: string): field is MutableField<T> {
  return (MUTABLE_FIELDS[type] as readonly string[]).includes(field);
}

export function isServerOwnedField<T extends RecordType>(type: T, field: string): field is ServerOwnedField<T> {
  return (SERVER_OWNED_FIELDS[type] as readonly string[]).includes(field);
}

/** True for record types whose `data` holds form answers (assessment, response). */
export function hasFormData(type: RecordType): type is "assessment" | "response" {
  return type === "assessment" || type === "response";
}
