import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as devicesRoute } from "@/app/api/sync/devices/route";
import { devicesResponseSchema } from "@/lib/protocol";
import { call } from "../../fixtures/api";
import { pushWorld } from "../../fixtures/push-world";
import { expectError, type Loose, mut, pullAll, push, type Signed } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §7: the deviceId and clientState a push carries feed GET /api/sync/devices.

const db = useTestDb();
const prisma = () => db.current.prisma;

let A1: Signed;
let R1: Signed;
let C1: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ A1, R1, C1, E } = await pushWorld(prisma()));
});

describe("deviceId and clientState feed GET /api/sync/devices", () => {
  it("a coordinator sees pendingCount, appVersion, lastPushAt and lastPullAt; others get 403", async () => {
    const deviceId = randomUUID();
    const before = Date.now();
    await push(A1.token, [mut.createAssessment(E.id)], { deviceId, clientState: { pendingCount: 3, appVersion: "1.4.0" } });
    let res = await call(devicesRoute, { path: "/api/sync/devices", token: C1.token });
    expect(res.status).toBe(200);
    expect(devicesResponseSchema.safeParse(res.body).success).toBe(true);
    let device: Loose = (res.body.devices as Loose[]).find((d) => d.deviceId === deviceId) ?? {};
    expect(device).toMatchObject({
      user: { id: A1.user.id, name: "Assessor One", email: A1.user.email },
      pendingCount: 3,
      appVersion: "1.4.0",
      lastPullAt: null,
    });
    expect(Date.parse(device.lastPushAt)).toBeGreaterThanOrEqual(before - 1000);

    // A later push without clientState keeps the last known values; a pull stamps lastPullAt.
    await push(A1.token, [mut.createAssessment(E.id)], { deviceId, clientState: { pendingCount: 0 } });
    await pullAll(A1.token, { deviceId });
    res = await call(devicesRoute, { path: "/api/sync/devices", token: C1.token });
    device = (res.body.devices as Loose[]).find((d) => d.deviceId === deviceId) ?? {};
    expect(device).toMatchObject({ pendingCount: 0, appVersion: "1.4.0" });
    expect(device.lastPullAt).toEqual(expect.any(String));

    for (const who of [A1, R1]) expectError(await call(devicesRoute, { path: "/api/sync/devices", token: who.token }), 403, "FORBIDDEN");
    expectError(await call(devicesRoute, { path: "/api/sync/devices" }), 401, "UNAUTHENTICATED");
  });
});
