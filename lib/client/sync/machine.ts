/**
 * The sync loop as a pure state machine: `transition(state, event)` decides, the SyncClient acts.
 * Every state × event pair is defined (an event that means nothing in a state leaves it as is),
 * and tests/unit/client/machine.test.ts lists every pair explicitly. See SYNC.md.
 */

export const TRIGGER_SOURCES = ["app-start", "online", "visible", "timer", "manual", "background-sync"] as const;
export type TriggerSource = (typeof TRIGGER_SOURCES)[number];

/**
 * Sources that may cut a backoff or an offline state short: the user asked, the OS granted a
 * background-sync run, or the network came back. Opportunistic ones (timer, visible, app-start)
 * must respect the wait — that is what honouring Retry-After means.
 */
const FORCING_SOURCES: ReadonlySet<TriggerSource> = new Set(["manual", "background-sync", "online"]);

export function isForcingSource(source: TriggerSource): boolean {
  return FORCING_SOURCES.has(source);
}

export interface SyncError {
  code: string;
  message: string;
}

export type MachineState =
  | { status: "idle" }
  /**
   * `attempt`: consecutive failed passes before this one (0 after a success).
   * `rerun`: a trigger arrived during the pass; run another pass when it ends, so an edit made
   * while syncing does not wait for the timer.
   */
  | { status: "syncing"; phase: "pushing" | "pulling"; source: TriggerSource; attempt: number; rerun: boolean }
  | { status: "offline" }
  | { status: "backoff"; until: number; attempt: number; error: SyncError }
  | { status: "error"; error: SyncError }
  | { status: "needs-sign-in" };

export type MachineStatus = MachineState["status"];

export type SyncEvent =
  | { type: "START" }
  | { type: "TRIGGER"; source: TriggerSource }
  | { type: "ONLINE" }
  | { type: "OFFLINE" }
  | { type: "PUSH_OK" }
  | { type: "PULL_OK" }
  | { type: "DONE" }
  | { type: "FAILED"; retryable: true; retryAt: number; error: SyncError }
  | { type: "FAILED"; retryable: false; error: SyncError }
  | { type: "AUTH_REQUIRED" }
  | { type: "SIGNED_IN" }
  | { type: "BACKOFF_ELAPSED" };

export type SyncEventType = SyncEvent["type"];

export const initialState: MachineState = { status: "idle" };

const syncing = (source: TriggerSource, attempt = 0): MachineState => ({
  status: "syncing",
  phase: "pushing",
  source,
  attempt,
  rerun: false,
});

export function transition(state: MachineState, event: SyncEvent): MachineState {
  // Valid in every state.
  if (event.type === "AUTH_REQUIRED") return state.status === "needs-sign-in" ? state : { status: "needs-sign-in" };

  switch (state.status) {
    case "idle":
      switch (event.type) {
        case "START":
          return syncing("app-start");
        case "TRIGGER":
          return syncing(event.source);
        case "ONLINE":
          return syncing("online");
        case "OFFLINE":
          return { status: "offline" };
        case "SIGNED_IN":
          return syncing("manual");
        default:
          return state;
      }

    case "syncing":
      switch (event.type) {
        case "TRIGGER":
          return state.rerun ? state : { ...state, rerun: true };
        case "OFFLINE":
          return { status: "offline" };
        case "PUSH_OK":
        case "PULL_OK":
          return state.phase === "pulling" ? state : { ...state, phase: "pulling" };
        case "DONE":
          return state.rerun ? syncing(state.source) : { status: "idle" };
        case "FAILED":
          return event.retryable
            ? { status: "backoff", until: event.retryAt, attempt: state.attempt + 1, error: event.error }
            : { status: "error", error: event.error };
        default:
          return state;
      }

    case "offline":
      switch (event.type) {
        case "ONLINE":
          return syncing("online");
        case "TRIGGER":
          return isForcingSource(event.source) ? syncing(event.source) : state;
        default:
          return state;
      }

    case "backoff":
      switch (event.type) {
        case "BACKOFF_ELAPSED":
          return syncing("timer", state.attempt);
        case "ONLINE":
          return syncing("online", state.attempt);
        case "TRIGGER":
          return isForcingSource(event.source) ? syncing(event.source, state.attempt) : state;
        case "OFFLINE":
          return { status: "offline" };
        default:
          return state;
      }

    case "error":
      switch (event.type) {
        case "START":
          return syncing("app-start");
        case "TRIGGER":
          return syncing(event.source);
        case "ONLINE":
          return syncing("online");
        case "SIGNED_IN":
          return syncing("manual");
        case "OFFLINE":
          return { status: "offline" };
        default:
          return state;
      }

    case "needs-sign-in":
      // Nothing but a sign-in helps; the queue is kept meanwhile.
      return event.type === "SIGNED_IN" ? syncing("manual") : state;
  }
}
