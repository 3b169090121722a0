import "server-only";
import { createHash } from "node:crypto";
import type { EntityType, Role } from "@/lib/protocol";
import { assignUser, createEntity, createUserAccount } from "@/lib/server/admin";
import type { Db } from "@/lib/server/db/client";
import { getEntityById } from "@/lib/server/queries/entities";
import { getUserByEmail } from "@/lib/server/queries/users";
import { seedDemoRecords } from "@/lib/server/sync/seed-records";

/** Deterministic ids so the seed can tell what it already created (and re-running changes nothing). */
export function demoId(name: string): string {
  const h = createHash("sha256").update(`fieldsync-demo:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "admin@demo.fieldsync.org", name: "Ada Admin", role: "ADMIN" },
  { email: "coordinator@demo.fieldsync.org", name: "Chidi Coordinator", role: "COORDINATOR" },
  { email: "assessor@demo.fieldsync.org", name: "Amina Assessor", role: "ASSESSOR" },
  { email: "responder@demo.fieldsync.org", name: "Ruth Responder", role: "RESPONDER" },
];

const LGAS = [
  { lga: "Maiduguri", lat: 11.83, lng: 13.15, wards: ["Bolori I", "Gwange II"] },
  { lga: "Jere", lat: 11.88, lng: 13.25, wards: ["Dusuman", "Mashamari"] },
  { lga: "Konduga", lat: 11.65, lng: 13.42, wards: ["Dalwa", "Mairamri"] },
];
const SITES: { name: string; type: EntityType }[] = [
  { name: "Bakassi Camp", type: "CAMP" },
  { name: "Teachers Village Camp", type: "CAMP" },
  { name: "Muna Garage Community", type: "COMMUNITY" },
  { name: "Primary Health Centre", type: "FACILITY" },
];

export const DEMO_ENTITIES = LGAS.flatMap((l, li) =>
  SITES.map((s, si) => ({
    id: demoId(`entity:${l.lga}:${s.name}`),
    name: `${s.name} (${l.lga})`,
    type: s.type,
    lga: l.lga,
    ward: l.wards[si % l.wards.length],
    latitude: Number((l.lat + si * 0.01).toFixed(4)),
    longitude: Number((l.lng + li * 0.01 + si * 0.005).toFixed(4)),
    autoApprove: si === 3,
  })),
);

/**
 * Seeds the demo (PROTOCOL.md §8). Idempotent: every step first checks whether its row exists,
 * so a second run writes nothing.
 */
export async function seedDemo(db: Db, password: string): Promise<{ created: number }> {
  let created = 0;
  const users: Record<string, string> = {};
  for (const u of DEMO_USERS) {
    const existing = await getUserByEmail(db, u.email);
    if (existing) {
      users[u.role] = existing.id;
      continue;
    }
    users[u.role] = (await createUserAccount(db, { ...u, password })).id;
    created++;
  }
  for (const e of DEMO_ENTITIES) {
    if (await getEntityById(db, e.id)) continue;
    await db.$transaction((tx) => createEntity({ ...e, createdById: users.ADMIN }, tx));
    created++;
  }
  // The assessor covers the first two LGAs' camps and communities; the responder the first LGA.
  const assessorEntities = DEMO_ENTITIES.filter((e) => e.lga !== "Konduga").map((e) => e.id);
  const responderEntities = DEMO_ENTITIES.filter((e) => e.lga === "Maiduguri").map((e) => e.id);
  for (const [role, ids] of [
    ["ASSESSOR", assessorEntities],
    ["RESPONDER", responderEntities],
  ] as const) {
    for (const entityId of ids) {
      const existing = await db.assignment.findUnique({ where: { userId_entityId: { userId: users[role], entityId } } });
      if (existing) continue;
      await db.$transaction((tx) => assignUser({ userId: users[role], entityId }, tx));
      created++;
    }
  }
  created += await seedDemoRecords(db, { assessorId: users.ASSESSOR, responderId: users.RESPONDER, entityIds: responderEntities, demoId });
  return { created };
}
