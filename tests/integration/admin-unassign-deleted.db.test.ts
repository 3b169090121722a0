import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DELETE as unassignRoute } from "@/app/api/admin/assignments/route";
import { POST as push } from "@/app/api/sync/push/route";
import { assignUser, createEntity } from "@/lib/server/admin";
import { call, makeUser } from "@/tests/fixtures/api";
import { useTestDb } from "@/tests/fixtures/test-db";

const db = useTestDb();

describe("unassigning from a deleted entity", () => {
  it("DELETE /api/admin/assignments ends the assignment even when the entity was deleted (204, inactive)", async () => {
    const prisma = db.current.prisma;
    const [admin, coordinator, assessor] = [
      await makeUser(prisma, "ADMIN"),
      await makeUser(prisma, "COORDINATOR"),
      await makeUser(prisma, "ASSESSOR"),
    ];
    const entity = await createEntity({
      name: "Camp D",
      type: "CAMP",
      lga: "Jere",
      ward: "Mashamari",
      latitude: 11.8,
      longitude: 13.1,
      autoApprove: false,
      createdById: null,
    });
    await assignUser({ userId: assessor.user.id, entityId: entity.id });
    const del = await call(push, {
      path: "/api/sync/push",
      token: coordinator.token,
      body: {
        deviceId: randomUUID(),
        mutations: [{ mutationId: randomUUID(), type: "entity", action: "delete", offlineId: entity.offlineId, baseVersion: 1 }],
      },
    });
    expect((del.body.results as { status: string }[])[0].status).toBe("applied");

    // PROTOCOL §2: "DELETE /api/admin/assignments {userId, entityId} → 204 (the assignment becomes inactive)".
    // The entity is soft-deleted and can come back (a DELETION conflict resolved with `client`
    // restores it); an admin who ends the assignment now must not see it revive with the entity.
    const res = await call(unassignRoute, {
      method: "DELETE",
      path: "/api/admin/assignments",
      token: admin.token,
      body: { userId: assessor.user.id, entityId: entity.id },
    });
    expect(res.status).toBe(204);
    const row = await prisma.assignment.findFirst({ where: { userId: assessor.user.id, entityId: entity.id } });
    expect(row?.active).toBe(false);
  });
});
