/** Fixed, valid v4 UUIDs so failures are reproducible. */
export const ID = {
  device: "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b",
  mutation: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  mutation2: "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
  offline: "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f",
  entity: "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f8a",
  assessment: "e5f6a7b8-c9d0-4e1f-8a2b-4c5d6e7f8a9b",
  user: "f6a7b8c9-d0e1-4f2a-9b3c-5d6e7f8a9b0c",
  record: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
  conflict: "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e",
  v7: "01936c4e-8b2a-7cde-8f01-23456789abcd",
} as const;

export const NOW = "2026-11-21T10:00:00.000Z";

export function entityRecord(overrides: Record<string, unknown> = {}) {
  return {
    id: ID.entity,
    offlineId: ID.offline,
    name: "Bakassi IDP Camp",
    type: "CAMP",
    lga: "Maiduguri",
    ward: "Gwange",
    latitude: 11.83,
    longitude: 13.15,
    autoApprove: false,
    version: 1,
    createdAt: NOW,
    updatedAt: NOW,
    deletedAt: null,
    ...overrides,
  };
}

export function assessmentRecord(overrides: Record<string, unknown> = {}) {
  return {
    id: ID.record,
    offlineId: ID.offline,
    entityId: ID.entity,
    assessorId: ID.user,
    assessmentType: "WASH",
    status: "DRAFT",
    data: { waterSource: "BOREHOLE" },
    version: 3,
    verificationStatus: "DRAFT",
    createdAt: NOW,
    updatedAt: NOW,
    deletedAt: null,
    ...overrides,
  };
}

export function responseRecord(overrides: Record<string, unknown> = {}) {
  return {
    id: ID.record,
    offlineId: ID.offline,
    assessmentId: ID.assessment,
    assessmentOfflineId: ID.mutation2,
    entityId: ID.entity,
    responderId: ID.user,
    responseType: "NFI",
    status: "PLANNED",
    data: { items: [{ name: "Blanket", quantity: 10, unit: "pcs" }], beneficiaries: 40 },
    version: 1,
    verificationStatus: "DRAFT",
    createdAt: NOW,
    updatedAt: NOW,
    deletedAt: null,
    ...overrides,
  };
}
