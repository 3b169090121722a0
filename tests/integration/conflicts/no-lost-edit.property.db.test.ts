import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { assign, type Loose, mut, newEntity, push, quickUser, type Signed, seedAssessment } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// Property (PROTOCOL §3, §5): two users edit random fields of one assessment from stale bases, pushed
// in random interleavings. The server never loses a field edit silently: every mutation is applied,
// merged (each field it sent is in the final record, or a later accepted edit also wrote that
// field), or parked whole in a PENDING conflict row — and every version has its snapshot.

const db = useTestDb();
const prisma = () => db.current.prisma;

let U1: Signed;
let U2: Signed;
let E: { id: string };

beforeAll(async () => {
  U1 = await quickUser(prisma(), "ASSESSOR", "Property One");
  U2 = await quickUser(prisma(), "ASSESSOR", "Property Two");
  E = await newEntity({ name: "Property Camp" });
  await assign(U1, E.id);
  await assign(U2, E.id);
});

/** Small value domains make both sides collide on fields and values often. */
const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  latrines: fc.constantFrom(0, 1, 2),
  functionalBoreholes: fc.constantFrom(1, 2),
  waterSource: fc.constantFrom("WELL", "TANKER"),
  notes: fc.constantFrom("a", "b", null),
};
const FIELDS = Object.keys(FIELD_VALUES);

const patchArb = fc
  .uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 })
  .chain((fields) => fc.tuple(...fields.map((f) => FIELD_VALUES[f].map((v) => [f, v] as const))))
  .map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);

const scenarioArb = fc.record({
  u1: fc.array(patchArb, { minLength: 1, maxLength: 4 }),
  u2: fc.array(patchArb, { minLength: 1, maxLength: 4 }),
  /** Which user pushes next, until both queues are empty (extra picks fall through). */
  order: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  /** Whether each user re-reads the server version after a push (else keeps the stale base). */
  refresh: fc.tuple(fc.boolean(), fc.boolean()),
});

interface Sent {
  user: 0 | 1;
  mutationId: string;
  patch: Record<string, unknown>;
  result: Loose;
}

const answerOf = (data: Record<string, unknown>, field: string) => (Object.hasOwn(data, field) ? data[field] : null);

describe("property: concurrent edits of one assessment never lose a field edit silently", () => {
  it("holds for random interleavings of two users' edits (fast-check, 15 runs)", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ u1, u2, order, refresh }) => {
        const a = await seedAssessment(U1.token, E.id, { data: { waterSource: "BOREHOLE", latrines: 5 } });
        const queues = [[...u1], [...u2]];
        const users = [U1, U2];
        const known = [1, 1];
        const sent: Sent[] = [];
        const picks = [...order];
        while (queues[0].length + queues[1].length > 0) {
          let who: 0 | 1 = picks.length ? (picks.shift() ? 1 : 0) : queues[0].length ? 0 : 1;
          if (queues[who].length === 0) who = who === 0 ? 1 : 0;
          // A device sends only what it changed relative to its base (§3): drop answers equal to it.
          const base = await prisma().recordVersion.findFirstOrThrow({ where: { recordId: a.id, version: known[who] } });
          const baseData = (base.snapshot as { data: Record<string, unknown> }).data;
          const patch = Object.fromEntries(
            Object.entries(queues[who].shift() as Record<string, unknown>).filter(([f, v]) => answerOf(baseData, f) !== v),
          );
          if (Object.keys(patch).length === 0) continue;
          const m = mut.update("assessment", a.offlineId, known[who], { data: patch });
          const res = await push(users[who].token, [m]);
          expect(res.status).toBe(200);
          const result = res.results[0];
          sent.push({ user: who, mutationId: m.mutationId, patch, result });
          if (refresh[who] && typeof result.version === "number") known[who] = result.version;
        }

        const final = await prisma().assessment.findUniqueOrThrow({ where: { id: a.id } });
        const data = final.data as Record<string, unknown>;
        for (const [i, s] of sent.entries()) {
          const status = s.result.status;
          expect(["applied", "merged", "conflict"], JSON.stringify(s)).toContain(status);
          if (status === "conflict") {
            const row = await prisma().conflict.findFirst({ where: { mutationId: s.mutationId } });
            expect(row, `no conflict row for ${JSON.stringify(s)}`).not.toBeNull();
            expect(row).toMatchObject({ status: "PENDING", recordId: a.id, patch: { data: s.patch } });
            continue;
          }
          const accepted = sent.slice(i + 1).filter((later) => later.result.status !== "conflict");
          for (const [field, value] of Object.entries(s.patch)) {
            const kept = Object.is(answerOf(data, field), value) || JSON.stringify(answerOf(data, field)) === JSON.stringify(value);
            const overwritten = accepted.some((later) => Object.hasOwn(later.patch, field));
            expect(
              kept || overwritten,
              `data.${field}=${JSON.stringify(value)} of push ${i} (${status}) lost; final ${JSON.stringify(data)}; pushes ${JSON.stringify(sent.map((x) => [x.user, x.patch, x.result.status, x.result.version]))}`,
            ).toBe(true);
          }
          // A policy decision is logged, never silent.
          if (status === "merged" && s.result.conflictingFields?.length) {
            const row = await prisma().conflict.findFirst({ where: { mutationId: s.mutationId } });
            expect(row).toMatchObject({ status: "AUTO_RESOLVED", method: "SAME_USER_LAST_WRITE" });
          }
        }
        const versions = await prisma().recordVersion.findMany({ where: { recordId: a.id }, orderBy: { version: "asc" } });
        expect(versions.map((v) => v.version)).toEqual(Array.from({ length: final.version }, (_, k) => k + 1));
        expect(versions[versions.length - 1].snapshot).toMatchObject({ data });
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 120_000);
});
