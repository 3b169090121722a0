/**
 * The benchmark workload: deterministic ~1 KB assessment documents, document i a pure function of
 * (seed, i). Ported from the team's peer harness (`../shared/peers/lib/workload.mjs`) so that this
 * bench and the PouchDB / Postgres-floor peers sync the very same documents; same seed → byte-identical
 * `JSON.stringify` output (tests/unit/bench/workload.test.ts pins a hash of it).
 *
 * The harness's answers are not our forms' questions (its keys would be rejected as unknown), so
 * `toCreateMutation` maps each document onto its type's form (lib/domain/forms): the same offlineId,
 * entity (by index), type and values, the answers our form has no question for kept in `notes`, so
 * the pushed payload stays about as large as the document (`workloadSizes` reports both).
 */
import type { AssessmentType } from "@/lib/protocol";

// ---- seeded PRNG (sfc32 seeded from a string via cyrb128) ----------------------------------------

function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

type Rng = () => number;

export function rng(seed: string): Rng {
  let [a, b, c, d] = cyrb128(String(seed));
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, arr: readonly T[]): T => arr[Math.floor(r() * arr.length)];
const bool = (r: Rng, p = 0.5) => r() < p;

export function uuid(r: Rng): string {
  const b: number[] = new Array(16);
  for (let i = 0; i < 16; i++) b[i] = Math.floor(r() * 256);
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const ASSESSMENT_TYPES = ["HEALTH", "WASH", "SHELTER", "FOOD", "SECURITY", "POPULATION"] as const;
const STATUSES = ["DRAFT", "SUBMITTED", "SUBMITTED", "SUBMITTED", "VERIFIED", "AUTO_VERIFIED", "REJECTED"];
const PRIORITY = ["low", "medium", "high", "critical"];
const ACCESS = ["road", "track", "boat", "air", "none"];

type Answers = Record<string, number | boolean | string>;

// 14 typed answers per assessment type; gpsLocation, otherNeeds (~100 chars) and notes (~200 chars)
// are added to every type: 17 keys, ~1 KB of JSON per document. The order of the calls is the order
// the generator draws numbers in: do not reorder.
const QUESTIONS: Record<(typeof ASSESSMENT_TYPES)[number], (r: Rng) => Answers> = {
  HEALTH: (r) => ({
    functionalHealthFacilities: int(r, 0, 12),
    healthWorkersAvailable: int(r, 0, 80),
    hasMedicalSupplies: bool(r),
    hasMaternalCare: bool(r, 0.4),
    outbreakSuspected: bool(r, 0.2),
    suspectedDisease: pick(r, ["none", "cholera", "measles", "malaria", "dengue", "AWD"]),
    injuredCount: int(r, 0, 400),
    deathsReported: int(r, 0, 60),
    referralPossible: bool(r, 0.6),
    coldChainWorking: bool(r, 0.5),
    mentalHealthSupport: bool(r, 0.3),
    ambulanceAccess: pick(r, ACCESS),
    mainHealthIssue: pick(r, ["trauma", "diarrhoea", "respiratory", "malnutrition", "chronic care"]),
    priority: pick(r, PRIORITY),
  }),
  WASH: (r) => ({
    functionalWaterPoints: int(r, 0, 40),
    litresPerPersonPerDay: int(r, 1, 30),
    waterSource: pick(r, ["borehole", "river", "trucking", "rainwater", "piped", "open well"]),
    waterTreated: bool(r, 0.5),
    latrinesFunctional: int(r, 0, 300),
    peoplePerLatrine: int(r, 5, 150),
    handwashingStations: int(r, 0, 60),
    soapAvailable: bool(r, 0.5),
    openDefecationObserved: bool(r, 0.3),
    solidWasteManaged: bool(r, 0.4),
    menstrualHygieneKits: bool(r, 0.3),
    waterQualityTested: bool(r, 0.4),
    drainageIssue: pick(r, ["none", "standing water", "flooding", "blocked drains"]),
    priority: pick(r, PRIORITY),
  }),
  SHELTER: (r) => ({
    housesDestroyed: int(r, 0, 900),
    housesDamaged: int(r, 0, 1500),
    familiesInCollectiveCentres: int(r, 0, 600),
    familiesWithHost: int(r, 0, 400),
    tarpaulinsNeeded: int(r, 0, 2000),
    blanketsNeeded: int(r, 0, 5000),
    shelterType: pick(r, ["tents", "schools", "churches", "open air", "makeshift"]),
    electricityAvailable: bool(r, 0.3),
    cookingFuelAvailable: bool(r, 0.5),
    womenSafeSpaces: bool(r, 0.3),
    overcrowded: bool(r, 0.6),
    floodRisk: pick(r, ["low", "medium", "high"]),
    nfiDistributed: bool(r, 0.4),
    priority: pick(r, PRIORITY),
  }),
  FOOD: (r) => ({
    householdsWithoutFood: int(r, 0, 1200),
    daysOfStockLeft: int(r, 0, 30),
    marketFunctional: bool(r, 0.5),
    pricesIncreasedPct: int(r, 0, 300),
    cookingFacilities: bool(r, 0.6),
    infantFormulaNeeded: bool(r, 0.3),
    mealsPerDay: int(r, 0, 3),
    foodSource: pick(r, ["market", "aid", "own stock", "host family", "none"]),
    cropsLost: bool(r, 0.5),
    livestockLost: int(r, 0, 2000),
    malnutritionCases: int(r, 0, 150),
    distributionPointAccessible: bool(r, 0.7),
    cashPreferred: bool(r, 0.5),
    priority: pick(r, PRIORITY),
  }),
  SECURITY: (r) => ({
    securityIncidents: int(r, 0, 40),
    policePresent: bool(r, 0.5),
    gbvReported: bool(r, 0.2),
    unaccompaniedChildren: int(r, 0, 80),
    lightingAdequate: bool(r, 0.4),
    lootingReported: bool(r, 0.3),
    accessConstraint: pick(r, ["none", "checkpoints", "armed groups", "landslides", "curfew"]),
    evacuationRoutesClear: bool(r, 0.6),
    missingPersons: int(r, 0, 50),
    communityLeadersContacted: bool(r, 0.7),
    protectionDeskPresent: bool(r, 0.3),
    minesSuspected: bool(r, 0.1),
    tensionWithHosts: pick(r, ["none", "low", "high"]),
    priority: pick(r, PRIORITY),
  }),
  POPULATION: (r) => ({
    totalHouseholds: int(r, 10, 5000),
    totalIndividuals: int(r, 40, 25000),
    children0to5: int(r, 0, 4000),
    elderlyOver60: int(r, 0, 2000),
    pregnantWomen: int(r, 0, 500),
    personsWithDisability: int(r, 0, 700),
    newArrivalsToday: int(r, 0, 400),
    departuresToday: int(r, 0, 200),
    headcountMethod: pick(r, ["registration", "estimate", "leader report"]),
    femaleHeadedHouseholds: int(r, 0, 1500),
    displacedFromRegion: pick(r, ["north", "south", "coast", "highlands", "capital"]),
    registrationOngoing: bool(r, 0.5),
    languageBarrier: bool(r, 0.2),
    priority: pick(r, PRIORITY),
  }),
};

const WORDS = (
  "access road blocked since morning families moved to the school building water trucking " +
  "arrived late latrines overflowing after rain clinic reports more cases of diarrhoea among children " +
  "community leader asked for tarpaulins and blankets elderly residents need support market partially " +
  "open prices doubled no electricity at night women report feeling unsafe near the river crossing " +
  "team could not reach the upper village follow up visit planned next week"
).split(" ");

function text(r: Rng, lo: number, hi: number): string {
  const target = int(r, lo, hi);
  let s = "";
  while (s.length < target) s += (s ? " " : "") + pick(r, WORDS);
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}

const BASE_TIME = Date.UTC(2026, 10, 1); // 2026-11-01

export const DEFAULT_SEED = "field-sync";

export interface WorkloadDoc {
  offlineId: string;
  entityId: string;
  assessmentType: (typeof ASSESSMENT_TYPES)[number];
  status: string;
  data: Answers & { gpsLocation: string; otherNeeds: string; notes: string };
  createdAt: string;
}

/** The 50 entity ids for a seed. */
export function entityIds(seed: string, count = 50): string[] {
  const r = rng(`${seed}:entities`);
  return Array.from({ length: count }, () => uuid(r));
}

/** Document i of the workload for a seed (independent of n, so slices are stable). */
export function makeDoc(seed: string, i: number, entities = entityIds(seed)): WorkloadDoc {
  const r = rng(`${seed}:doc:${i}`);
  const assessmentType = ASSESSMENT_TYPES[Math.floor(r() * ASSESSMENT_TYPES.length)];
  return {
    offlineId: uuid(r),
    entityId: pick(r, entities),
    assessmentType,
    status: pick(r, STATUSES),
    data: {
      ...QUESTIONS[assessmentType](r),
      gpsLocation: `${(r() * 40 - 20).toFixed(5)},${(r() * 60 + 10).toFixed(5)}`,
      otherNeeds: text(r, 60, 140),
      notes: text(r, 190, 260),
    },
    createdAt: new Date(BASE_TIME + Math.floor(r() * 20 * 86400e3)).toISOString(),
  };
}

/** Documents [from, to) of the workload. */
export function generateDocs({ seed = DEFAULT_SEED, from = 0, to }: { seed?: string; from?: number; to: number }): WorkloadDoc[] {
  const entities = entityIds(seed);
  const out: WorkloadDoc[] = new Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = makeDoc(seed, i, entities);
  return out;
}

// ---- onto our forms -------------------------------------------------------------------------------

type N = number;
type B = boolean;
type Mapped = { answers: Record<string, unknown>; used: string[] };

/** Per type: our form's answers from the document's, and which of its keys they used. */
const TO_FORM: Record<AssessmentType, (a: Answers, doc: WorkloadDoc) => Mapped> = {
  HEALTH: (a) => ({
    answers: {
      functionalFacilities: a.functionalHealthFacilities,
      staffOnDuty: a.healthWorkersAvailable,
      medicineStockout: !(a.hasMedicalSupplies as B),
      referralsNeeded: (a.injuredCount as N) % 50,
      choleraCases: a.suspectedDisease === "cholera" ? (a.injuredCount as N) : 0,
      malariaCases: a.suspectedDisease === "malaria" ? (a.injuredCount as N) : 0,
      measlesCases: a.suspectedDisease === "measles" ? (a.injuredCount as N) : 0,
      deaths: a.deathsReported,
    },
    used: ["functionalHealthFacilities", "healthWorkersAvailable", "hasMedicalSupplies", "deathsReported"],
  }),
  WASH: (a) => ({
    answers: {
      waterSource:
        ({ borehole: "BOREHOLE", "open well": "WELL", trucking: "TANKER", river: "SURFACE" } as Record<string, string>)[
          a.waterSource as string
        ] ?? "OTHER",
      functionalBoreholes: a.functionalWaterPoints,
      litresPerPersonPerDay: a.litresPerPersonPerDay,
      waterTreatment: a.waterTreated ? "CHLORINATION" : "NONE",
      latrines: a.latrinesFunctional,
      openDefecationObserved: a.openDefecationObserved,
      handwashingStations: a.handwashingStations,
    },
    used: [
      "waterSource",
      "functionalWaterPoints",
      "litresPerPersonPerDay",
      "waterTreated",
      "latrinesFunctional",
      "openDefecationObserved",
      "handwashingStations",
    ],
  }),
  SHELTER: (a) => ({
    answers: {
      householdsWithoutShelter: a.housesDestroyed,
      damagedShelters: a.housesDamaged,
      collectiveCentres: (a.familiesInCollectiveCentres as N) % 20,
      shelterTypes: [
        ({ tents: "TENTS", schools: "COLLECTIVE_CENTRE", churches: "COLLECTIVE_CENTRE", "open air": "OPEN_AIR" } as Record<string, string>)[
          a.shelterType as string
        ] ?? "MAKESHIFT",
      ],
      nfiNeeded: [(a.tarpaulinsNeeded as N) > 0 && "TARPAULINS", (a.blanketsNeeded as N) > 0 && "BLANKETS"].filter(Boolean),
    },
    used: ["housesDestroyed", "housesDamaged", "shelterType"],
  }),
  FOOD: (a, doc) => ({
    answers: {
      householdsFoodInsecure: a.householdsWithoutFood,
      mealsPerDay: a.mealsPerDay,
      mainFoodSource:
        ({ market: "MARKET", aid: "AID", "own stock": "OWN_PRODUCTION", "host family": "HOST_COMMUNITY" } as Record<string, string>)[
          a.foodSource as string
        ] ?? "OTHER",
      lastDistributionDate: doc.createdAt.slice(0, 10),
      marketFunctional: a.marketFunctional,
      priceIncreasePercent: a.pricesIncreasedPct,
    },
    used: ["householdsWithoutFood", "mealsPerDay", "foodSource", "marketFunctional", "pricesIncreasedPct"],
  }),
  SECURITY: (a) => ({
    answers: {
      incidentsLast7Days: a.securityIncidents,
      accessRestricted: a.accessConstraint !== "none",
      armedPresence: a.accessConstraint === "armed groups",
      safeAccessRoutes: a.evacuationRoutesClear,
      gbvIncidentsReported: a.gbvReported ? 1 : 0,
    },
    used: ["securityIncidents", "accessConstraint", "evacuationRoutesClear", "gbvReported"],
  }),
  POPULATION: (a) => ({
    answers: {
      households: a.totalHouseholds,
      individuals: a.totalIndividuals,
      newArrivals7Days: a.newArrivalsToday,
      femaleHeadedHouseholds: a.femaleHeadedHouseholds,
      under5: a.children0to5,
      elderly: a.elderlyOver60,
      disabled: a.personsWithDisability,
      pregnantLactatingWomen: a.pregnantWomen,
    },
    used: [
      "totalHouseholds",
      "totalIndividuals",
      "newArrivalsToday",
      "femaleHeadedHouseholds",
      "children0to5",
      "elderlyOver60",
      "personsWithDisability",
      "pregnantWomen",
    ],
  }),
};

/** The `data` of a create mutation for the document: our form's answers, the rest in `notes`. */
export function toRecordInput(doc: WorkloadDoc, entityId: string) {
  const { gpsLocation, otherNeeds, notes, ...answers } = doc.data;
  const { answers: mapped, used } = TO_FORM[doc.assessmentType](answers, doc);
  const rest = Object.entries(answers)
    .filter(([k]) => !used.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  return {
    entityId,
    assessmentType: doc.assessmentType,
    // The harness's VERIFIED/AUTO_VERIFIED/REJECTED are verification outcomes the server sets; a
    // device sends DRAFT or SUBMITTED.
    status: doc.status === "DRAFT" ? "DRAFT" : "SUBMITTED",
    data: { ...mapped, notes: `GPS ${gpsLocation}. ${otherNeeds} ${notes} (${rest})` },
  };
}

/** A push create of the document; `entityIds[k]` is our entity for the workload's k-th entity. */
export function toCreateMutation(
  doc: WorkloadDoc,
  workloadEntities: readonly string[],
  ourEntities: readonly string[],
  mutationId: string,
) {
  const index = workloadEntities.indexOf(doc.entityId);
  if (index < 0) throw new Error(`document ${doc.offlineId} names an entity outside the workload`);
  return {
    mutationId,
    type: "assessment" as const,
    action: "create" as const,
    offlineId: doc.offlineId,
    baseVersion: 0,
    data: toRecordInput(doc, ourEntities[index]),
    clientTime: doc.createdAt,
  };
}

/** Mean JSON bytes of the harness's documents and of our create mutations for them. */
export function workloadSizes(docs: WorkloadDoc[], workloadEntities: readonly string[]) {
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const fake = workloadEntities.map(() => "00000000-0000-4000-8000-000000000000");
  return {
    documentBytes: Math.round(mean(docs.map((d) => Buffer.byteLength(JSON.stringify(d))))),
    mutationBytes: Math.round(
      mean(
        docs.map((d) =>
          Buffer.byteLength(JSON.stringify(toCreateMutation(d, workloadEntities, fake, "00000000-0000-4000-8000-000000000000"))),
        ),
      ),
    ),
  };
}
