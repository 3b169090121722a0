import "server-only";
import type { Mutation } from "@/lib/protocol";
import type { Db } from "@/lib/server/db/client";
import { getUserById } from "@/lib/server/queries/users";
import { applyMutation } from "./push";

/**
 * Demo assessments and a response, written through the sync engine like any device's edits
 * (versions, snapshots and change numbers included). Fixed offlineIds make a re-run a no-op:
 * the engine answers `duplicate`.
 */
export async function seedDemoRecords(
  db: Db,
  params: { assessorId: string; responderId: string; entityIds: string[]; demoId: (name: string) => string },
): Promise<number> {
  const [assessor, responder] = await Promise.all([getUserById(db, params.assessorId), getUserById(db, params.responderId)]);
  if (!assessor || !responder || params.entityIds.length < 2) return 0;
  const [camp, community] = params.entityIds;
  const clientTime = new Date().toISOString();
  const m = (name: string, rest: Omit<Mutation, "mutationId" | "offlineId" | "baseVersion" | "priority">, offlineName = name): Mutation =>
    ({
      mutationId: params.demoId(`mutation:${name}`),
      offlineId: params.demoId(`record:${offlineName}`),
      baseVersion: 0,
      priority: "NORMAL",
      clientTime,
      ...rest,
    }) as Mutation;

  const assessments: Mutation[] = [
    m("health-camp", {
      type: "assessment",
      action: "create",
      data: {
        entityId: camp,
        assessmentType: "HEALTH",
        status: "SUBMITTED",
        data: { functionalFacilities: 1, staffOnDuty: 4, choleraCases: 3, malariaCases: 27, notes: "Clinic tent short of ORS." },
      },
    } as never),
    m("wash-camp", {
      type: "assessment",
      action: "create",
      data: {
        entityId: camp,
        assessmentType: "WASH",
        status: "SUBMITTED",
        data: { waterSource: "BOREHOLE", functionalBoreholes: 2, latrines: 14, openDefecationObserved: true },
      },
    } as never),
    m("population-community", {
      type: "assessment",
      action: "create",
      data: { entityId: community, assessmentType: "POPULATION", status: "DRAFT", data: { households: 340, individuals: 1720 } },
    } as never),
  ];
  const response = m("food-camp", {
    type: "response",
    action: "create",
    data: {
      assessmentOfflineId: params.demoId("record:health-camp"),
      entityId: camp,
      responseType: "HEALTH_SERVICES",
      status: "PLANNED",
      data: { items: [{ name: "ORS sachets", quantity: 500, unit: "sachet" }], beneficiaries: 120 },
    },
  } as never);

  let created = 0;
  for (const mutation of assessments) {
    const result = await applyMutation(db, { user: assessor, deviceId: null, scope: null }, mutation);
    if (result.status === "applied") created++;
  }
  const result = await applyMutation(db, { user: responder, deviceId: null, scope: null }, response);
  if (result.status === "applied") created++;
  return created;
}
