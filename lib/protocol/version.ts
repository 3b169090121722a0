/**
 * Protocol version. Bump it on every change a deployed client could observe and add an entry to
 * PROTOCOL_HISTORY (newest last). Additive changes (a new optional field, a new endpoint) keep
 * old clients working; anything else needs a note on how old clients are handled.
 */
export const PROTOCOL_VERSION = 1;

export interface ProtocolHistoryEntry {
  version: number;
  /** YYYY-MM-DD the version was fixed. */
  date: string;
  summary: string;
}

export const PROTOCOL_HISTORY: readonly ProtocolHistoryEntry[] = [
  {
    version: 1,
    date: "2026-11-21",
    summary:
      "Initial contract: push (per-mutation results applied/merged/duplicate/conflict/rejected), " +
      "pull with opaque cursor and scope, conflict review API, verification, tus media uploads.",
  },
];
