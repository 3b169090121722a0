import { describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { GET as listEntitiesRoute } from "@/app/api/entities/route";
import { getEnv } from "@/lib/server/env";
import { DEMO_ENTITIES, DEMO_USERS, seedDemo } from "@/lib/server/seed";
import { call } from "@/tests/fixtures/api";
import { useTestDb } from "@/tests/fixtures/test-db";

// PROTOCOL.md §8: the demo seed, and its idempotence (a second `npm start` must not reseed).

const db = useTestDb();

/** Row counts of every table the seed may write. */
async function counts() {
  const p = db.current.prisma;
  return {
    users: await p.user.count(),
    entities: await p.entity.count(),
    assignments: await p.assignment.count(),
    activeAssignments: await p.assignment.count({ where: { active: true } }),
    assessments: await p.assessment.count(),
    responses: await p.response.count(),
    recordVersions: await p.recordVersion.count(),
    changeCounter: (await p.$queryRaw<{ value: bigint }[]>`SELECT "value" FROM "ChangeCounter" WHERE "id" = 1`)[0]?.value.toString(),
  };
}

describe("seedDemo", () => {
  it("seeds users, a dozen entities across three LGAs and assignments; a second run writes nothing", async () => {
    const password = getEnv().DEMO_PASSWORD;
    expect(await db.current.prisma.user.count()).toBe(0);

    const first = await seedDemo(db.current.prisma, password);
    const afterFirst = await counts();
    expect(first.created).toBeGreaterThanOrEqual(DEMO_USERS.length + DEMO_ENTITIES.length);
    expect(afterFirst.users).toBe(4);
    expect(afterFirst.entities).toBe(12);
    expect(new Set((await db.current.prisma.entity.findMany({ select: { lga: true } })).map((e) => e.lga)).size).toBe(3);
    expect(afterFirst.activeAssignments).toBeGreaterThan(0);
    expect(Number(afterFirst.changeCounter)).toBeGreaterThan(0);

    const second = await seedDemo(db.current.prisma, password);
    expect(second.created).toBe(0);
    expect(await counts()).toEqual(afterFirst);
  });

  it.each(DEMO_USERS.map((u, i) => ({ ...u, ip: `198.18.0.${i + 1}` })))(
    "$role $email signs in with DEMO_PASSWORD",
    async ({ email, role, name, ip }) => {
      const res = await call(loginRoute, {
        method: "POST",
        body: { email, password: getEnv().DEMO_PASSWORD },
        headers: { "x-forwarded-for": ip },
      });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ email, role, name });
    },
  );

  it("gives the demo assessor and responder assignments, and the coordinator everything", async () => {
    const tokenOf = async (email: string, ip: string) =>
      (await call(loginRoute, { method: "POST", body: { email, password: getEnv().DEMO_PASSWORD }, headers: { "x-forwarded-for": ip } }))
        .body.token as string;
    const seen = async (email: string, ip: string) =>
      ((await call(listEntitiesRoute, { token: await tokenOf(email, ip) })).body.entities as { id: string }[]).map((e) => e.id);

    const assessor = await seen("assessor@demo.fieldsync.org", "198.18.1.1");
    const responder = await seen("responder@demo.fieldsync.org", "198.18.1.2");
    const coordinator = await seen("coordinator@demo.fieldsync.org", "198.18.1.3");
    expect(assessor.length).toBeGreaterThan(0);
    expect(responder.length).toBeGreaterThan(0);
    expect(assessor.length).toBeLessThan(12);
    expect(coordinator.sort()).toEqual(DEMO_ENTITIES.map((e) => e.id).sort());
  });

  it("leaves existing rows alone: a re-run does not reset a renamed user or revive an ended assignment", async () => {
    const p = db.current.prisma;
    const email = "assessor@demo.fieldsync.org";
    const user = await p.user.update({ where: { email }, data: { name: "Renamed Assessor" } });
    const ended = await p.assignment.findFirstOrThrow({ where: { userId: user.id, active: true } });
    await p.assignment.update({ where: { id: ended.id }, data: { active: false } });
    expect((await seedDemo(p, getEnv().DEMO_PASSWORD)).created).toBe(0);
    expect((await p.user.findUniqueOrThrow({ where: { email } })).name).toBe("Renamed Assessor");
    expect((await p.assignment.findUniqueOrThrow({ where: { id: ended.id } })).active).toBe(false);
  });
});
