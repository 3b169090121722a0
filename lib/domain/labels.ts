/** Plain-word labels of the protocol's codes, for screens (the codes themselves never change). */
import type { AssessmentType, EntityType, ResponseType } from "../protocol";

export const ASSESSMENT_TYPE_LABEL: Readonly<Record<AssessmentType, string>> = {
  HEALTH: "Health",
  WASH: "WASH",
  SHELTER: "Shelter",
  FOOD: "Food",
  SECURITY: "Security",
  POPULATION: "Population",
};

export const ENTITY_TYPE_LABEL: Readonly<Record<EntityType, string>> = {
  CAMP: "Camp",
  COMMUNITY: "Community",
  FACILITY: "Facility",
};

export const RESPONSE_TYPE_LABEL: Readonly<Record<ResponseType, string>> = {
  FOOD_DISTRIBUTION: "Food distribution",
  WASH_SUPPLIES: "WASH supplies",
  NFI: "Non-food items",
  HEALTH_SERVICES: "Health services",
  SHELTER_KITS: "Shelter kits",
};

export function labelOf<K extends string>(labels: Readonly<Record<K, string>>, code: unknown): string {
  return typeof code === "string" && Object.hasOwn(labels, code) ? labels[code as K] : String(code ?? "");
}
