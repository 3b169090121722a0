import { describe, expect, it } from "vitest";
import { RECORD_STATES, recordState } from "@/components/records/record-state";
import { syncHeadline } from "@/components/sync/sync-headline";

const NOW = Date.parse("2026-12-05T12:00:00.000Z");
const calm = { status: "idle" as const, lastSuccessAt: "2026-12-05T11:00:00.000Z", lastError: null, retryAt: null, progress: null };
const nothing = { queued: 0, parked: 0, conflicts: 0, unsentPhotos: 0, oldestAt: null };

describe("sync bar headline", () => {
  it("says Synced only when nothing waits and the last sync succeeded", () => {
    expect(syncHeadline(calm, nothing, true, NOW).text).toBe("Synced");
    expect(syncHeadline(calm, { ...nothing, queued: 1 }, true, NOW).text).toBe("1 change waiting to be sent");
    expect(syncHeadline(calm, { ...nothing, unsentPhotos: 2 }, true, NOW).text).toBe("2 photos waiting to be sent");
    expect(syncHeadline({ ...calm, lastSuccessAt: null }, nothing, true, NOW).text).toBe("Not synced yet");
    expect(syncHeadline({ ...calm, lastError: { code: "X", message: "boom" } }, nothing, true, NOW).text).toBe("Not synced yet");
    expect(syncHeadline(calm, { ...nothing, parked: 2 }, true, NOW).text).toBe("2 changes need attention");
  });

  it("says what is saved on the device when offline, whatever the machine thinks", () => {
    expect(syncHeadline(calm, { ...nothing, queued: 3, unsentPhotos: 1 }, false, NOW).text).toBe(
      "Offline — 3 changes and 1 photo saved on this device",
    );
    expect(syncHeadline({ ...calm, status: "offline" }, nothing, true, NOW).text).toBe("Offline — nothing waiting to be sent");
  });

  it("shows progress, retries and sign-in", () => {
    expect(syncHeadline({ ...calm, status: "syncing", progress: { phase: "pushing", done: 2, total: 5 } }, nothing, true, NOW).text).toBe(
      "Sending 2 of 5 changes…",
    );
    expect(syncHeadline({ ...calm, status: "error", retryAt: NOW + 120_000 }, nothing, true, NOW).text).toBe(
      "Sync problem — will retry in 2 min",
    );
    expect(syncHeadline({ ...calm, status: "needs-sign-in" }, nothing, true, NOW).tone).toBe("attention");
  });
});

describe("record state", () => {
  it("puts what the device owes before the coordinator's decision", () => {
    expect(recordState({ syncState: "pending", verificationStatus: "VERIFIED" })).toBe(RECORD_STATES.SAVED_ON_DEVICE);
    expect(recordState({ syncState: "pending" }, true)).toBe(RECORD_STATES.SYNCING);
    expect(recordState({ syncState: "conflict" })).toBe(RECORD_STATES.AWAITING_REVIEW);
    expect(recordState({ syncState: "parked" })).toBe(RECORD_STATES.NEEDS_ATTENTION);
    expect(recordState({ syncState: "synced", verificationStatus: "AUTO_VERIFIED" })).toBe(RECORD_STATES.VERIFIED);
    expect(recordState({ syncState: "synced", verificationStatus: "REJECTED" })).toBe(RECORD_STATES.REJECTED);
    expect(recordState({ syncState: "synced", verificationStatus: "PENDING" })).toBe(RECORD_STATES.SYNCED);
  });
});
