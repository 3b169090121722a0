import { describe, expect, it } from "vitest";
import { type MachineState, type SyncEvent, type TriggerSource, transition } from "@/lib/client/sync/machine";

const OLD_ERROR = { code: "INTERNAL", message: "earlier" };
const NEW_ERROR = { code: "NETWORK_ERROR", message: "now" };

const states = {
  idle: { status: "idle" },
  pushing: { status: "syncing", phase: "pushing", source: "timer", attempt: 0, rerun: false },
  pulling: { status: "syncing", phase: "pulling", source: "timer", attempt: 2, rerun: false },
  pullingWithRerun: { status: "syncing", phase: "pulling", source: "visible", attempt: 0, rerun: true },
  offline: { status: "offline" },
  backoff: { status: "backoff", until: 5_000, attempt: 2, error: OLD_ERROR },
  error: { status: "error", error: OLD_ERROR },
  needsSignIn: { status: "needs-sign-in" },
} satisfies Record<string, MachineState>;
type StateName = keyof typeof states;

const events = {
  START: { type: "START" },
  TRIGGER_manual: { type: "TRIGGER", source: "manual" },
  TRIGGER_background_sync: { type: "TRIGGER", source: "background-sync" },
  TRIGGER_online: { type: "TRIGGER", source: "online" },
  TRIGGER_timer: { type: "TRIGGER", source: "timer" },
  TRIGGER_visible: { type: "TRIGGER", source: "visible" },
  TRIGGER_app_start: { type: "TRIGGER", source: "app-start" },
  ONLINE: { type: "ONLINE" },
  OFFLINE: { type: "OFFLINE" },
  PUSH_OK: { type: "PUSH_OK" },
  PULL_OK: { type: "PULL_OK" },
  DONE: { type: "DONE" },
  FAILED_retryable: { type: "FAILED", retryable: true, retryAt: 9_000, error: NEW_ERROR },
  FAILED_fatal: { type: "FAILED", retryable: false, error: NEW_ERROR },
  AUTH_REQUIRED: { type: "AUTH_REQUIRED" },
  SIGNED_IN: { type: "SIGNED_IN" },
  BACKOFF_ELAPSED: { type: "BACKOFF_ELAPSED" },
} satisfies Record<string, SyncEvent>;
type EventName = keyof typeof events;

/** A fresh pass: pushing first, no rerun pending. */
const sync = (source: TriggerSource, attempt = 0): MachineState => ({ status: "syncing", phase: "pushing", source, attempt, rerun: false });
const SAME = "same" as const;
const idle: MachineState = { status: "idle" };
const offline: MachineState = { status: "offline" };
const needsSignIn: MachineState = { status: "needs-sign-in" };
const fatal: MachineState = { status: "error", error: NEW_ERROR };

/** Every state × event pair, written out. A missing pair fails the completeness test below. */
const table: Record<StateName, Record<EventName, MachineState | typeof SAME>> = {
  idle: {
    START: sync("app-start"),
    TRIGGER_manual: sync("manual"),
    TRIGGER_background_sync: sync("background-sync"),
    TRIGGER_online: sync("online"),
    TRIGGER_timer: sync("timer"),
    TRIGGER_visible: sync("visible"),
    TRIGGER_app_start: sync("app-start"),
    ONLINE: sync("online"),
    OFFLINE: offline,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: SAME,
    FAILED_retryable: SAME,
    FAILED_fatal: SAME,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: sync("manual"),
    BACKOFF_ELAPSED: SAME,
  },
  pushing: {
    START: SAME,
    TRIGGER_manual: { ...states.pushing, rerun: true },
    TRIGGER_background_sync: { ...states.pushing, rerun: true },
    TRIGGER_online: { ...states.pushing, rerun: true },
    TRIGGER_timer: { ...states.pushing, rerun: true },
    TRIGGER_visible: { ...states.pushing, rerun: true },
    TRIGGER_app_start: { ...states.pushing, rerun: true },
    ONLINE: SAME,
    OFFLINE: offline,
    PUSH_OK: { ...states.pushing, phase: "pulling" },
    PULL_OK: { ...states.pushing, phase: "pulling" },
    DONE: idle,
    FAILED_retryable: { status: "backoff", until: 9_000, attempt: 1, error: NEW_ERROR },
    FAILED_fatal: fatal,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: SAME,
    BACKOFF_ELAPSED: SAME,
  },
  pulling: {
    START: SAME,
    TRIGGER_manual: { ...states.pulling, rerun: true },
    TRIGGER_background_sync: { ...states.pulling, rerun: true },
    TRIGGER_online: { ...states.pulling, rerun: true },
    TRIGGER_timer: { ...states.pulling, rerun: true },
    TRIGGER_visible: { ...states.pulling, rerun: true },
    TRIGGER_app_start: { ...states.pulling, rerun: true },
    ONLINE: SAME,
    OFFLINE: offline,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: idle,
    FAILED_retryable: { status: "backoff", until: 9_000, attempt: 3, error: NEW_ERROR },
    FAILED_fatal: fatal,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: SAME,
    BACKOFF_ELAPSED: SAME,
  },
  pullingWithRerun: {
    START: SAME,
    TRIGGER_manual: SAME,
    TRIGGER_background_sync: SAME,
    TRIGGER_online: SAME,
    TRIGGER_timer: SAME,
    TRIGGER_visible: SAME,
    TRIGGER_app_start: SAME,
    ONLINE: SAME,
    OFFLINE: offline,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: sync("visible"),
    FAILED_retryable: { status: "backoff", until: 9_000, attempt: 1, error: NEW_ERROR },
    FAILED_fatal: fatal,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: SAME,
    BACKOFF_ELAPSED: SAME,
  },
  offline: {
    START: SAME,
    TRIGGER_manual: sync("manual"),
    TRIGGER_background_sync: sync("background-sync"),
    TRIGGER_online: sync("online"),
    TRIGGER_timer: SAME,
    TRIGGER_visible: SAME,
    TRIGGER_app_start: SAME,
    ONLINE: sync("online"),
    OFFLINE: SAME,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: SAME,
    FAILED_retryable: SAME,
    FAILED_fatal: SAME,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: SAME,
    BACKOFF_ELAPSED: SAME,
  },
  backoff: {
    START: SAME,
    TRIGGER_manual: sync("manual", 2),
    TRIGGER_background_sync: sync("background-sync", 2),
    TRIGGER_online: sync("online", 2),
    TRIGGER_timer: SAME,
    TRIGGER_visible: SAME,
    TRIGGER_app_start: SAME,
    ONLINE: sync("online", 2),
    OFFLINE: offline,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: SAME,
    FAILED_retryable: SAME,
    FAILED_fatal: SAME,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: SAME,
    BACKOFF_ELAPSED: sync("timer", 2),
  },
  error: {
    START: sync("app-start"),
    TRIGGER_manual: sync("manual"),
    TRIGGER_background_sync: sync("background-sync"),
    TRIGGER_online: sync("online"),
    TRIGGER_timer: sync("timer"),
    TRIGGER_visible: sync("visible"),
    TRIGGER_app_start: sync("app-start"),
    ONLINE: sync("online"),
    OFFLINE: offline,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: SAME,
    FAILED_retryable: SAME,
    FAILED_fatal: SAME,
    AUTH_REQUIRED: needsSignIn,
    SIGNED_IN: sync("manual"),
    BACKOFF_ELAPSED: SAME,
  },
  needsSignIn: {
    START: SAME,
    TRIGGER_manual: SAME,
    TRIGGER_background_sync: SAME,
    TRIGGER_online: SAME,
    TRIGGER_timer: SAME,
    TRIGGER_visible: SAME,
    TRIGGER_app_start: SAME,
    ONLINE: SAME,
    OFFLINE: SAME,
    PUSH_OK: SAME,
    PULL_OK: SAME,
    DONE: SAME,
    FAILED_retryable: SAME,
    FAILED_fatal: SAME,
    AUTH_REQUIRED: SAME,
    SIGNED_IN: sync("manual"),
    BACKOFF_ELAPSED: SAME,
  },
};

const stateNames = Object.keys(states) as StateName[];
const eventNames = Object.keys(events) as EventName[];
const pairs = stateNames.flatMap((s) => eventNames.map((e) => [s, e] as const));

describe("transition: state × event", () => {
  it("the table lists every pair, every state kind and every event type", () => {
    const missing = pairs.filter(([s, e]) => table[s]?.[e] === undefined).map(([s, e]) => `${s} × ${e}`);
    expect(missing).toEqual([]);
    expect(new Set(Object.values(states).map((s) => s.status))).toEqual(
      new Set(["idle", "syncing", "offline", "backoff", "error", "needs-sign-in"]),
    );
    expect(new Set(Object.values(events).map((e) => e.type))).toEqual(
      new Set([
        "START",
        "TRIGGER",
        "ONLINE",
        "OFFLINE",
        "PUSH_OK",
        "PULL_OK",
        "DONE",
        "FAILED",
        "AUTH_REQUIRED",
        "SIGNED_IN",
        "BACKOFF_ELAPSED",
      ]),
    );
    expect(pairs).toHaveLength(8 * 17);
  });

  it.each(pairs)("%s × %s", (stateName, eventName) => {
    const state = states[stateName] as MachineState;
    const expected = table[stateName][eventName];
    const next = transition(state, events[eventName] as SyncEvent);
    if (expected === SAME) expect(next).toBe(state);
    else expect(next).toEqual(expected);
  });

  it("never mutates its input", () => {
    for (const [s, e] of pairs) {
      const state = structuredClone(states[s]) as MachineState;
      const copy = structuredClone(state);
      transition(state, events[e] as SyncEvent);
      expect(state).toEqual(copy);
    }
  });
});
