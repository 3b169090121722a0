-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ASSESSOR', 'RESPONDER', 'COORDINATOR', 'ADMIN');

-- CreateEnum
CREATE TYPE "EntityType" AS ENUM ('CAMP', 'COMMUNITY', 'FACILITY');

-- CreateEnum
CREATE TYPE "AssessmentType" AS ENUM ('HEALTH', 'WASH', 'SHELTER', 'FOOD', 'SECURITY', 'POPULATION');

-- CreateEnum
CREATE TYPE "AssessmentStatus" AS ENUM ('DRAFT', 'SUBMITTED');

-- CreateEnum
CREATE TYPE "ResponseType" AS ENUM ('FOOD_DISTRIBUTION', 'WASH_SUPPLIES', 'NFI', 'HEALTH_SERVICES', 'SHELTER_KITS');

-- CreateEnum
CREATE TYPE "ResponseStatus" AS ENUM ('PLANNED', 'DELIVERED');

-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('DRAFT', 'PENDING', 'AUTO_VERIFIED', 'VERIFIED', 'REJECTED');

-- CreateEnum
CREATE TYPE "RecordType" AS ENUM ('entity', 'assessment', 'response');

-- CreateEnum
CREATE TYPE "MediaParentType" AS ENUM ('assessment', 'response');

-- CreateEnum
CREATE TYPE "ConflictKind" AS ENUM ('UPDATE', 'DELETION');

-- CreateEnum
CREATE TYPE "ConflictStatus" AS ENUM ('PENDING', 'RESOLVED', 'AUTO_RESOLVED');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "lastUsedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginFailure" (
    "id" BIGSERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoginFailure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Entity" (
    "id" UUID NOT NULL,
    "offlineId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "EntityType" NOT NULL,
    "lga" TEXT NOT NULL,
    "ward" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "autoApprove" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "changeSeq" BIGINT NOT NULL DEFAULT 0,
    "createdById" UUID,
    "lastModifiedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Entity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Assignment" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "entityId" UUID NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "changeSeq" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Assessment" (
    "id" UUID NOT NULL,
    "offlineId" UUID NOT NULL,
    "entityId" UUID NOT NULL,
    "assessorId" UUID NOT NULL,
    "assessmentType" "AssessmentType" NOT NULL,
    "status" "AssessmentStatus" NOT NULL DEFAULT 'DRAFT',
    "data" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "verificationStatus" "VerificationStatus" NOT NULL DEFAULT 'DRAFT',
    "verifiedById" UUID,
    "verifiedAt" TIMESTAMPTZ(3),
    "verificationNote" TEXT,
    "lastModifiedById" UUID NOT NULL,
    "clientTime" TIMESTAMPTZ(3),
    "changeSeq" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Assessment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Response" (
    "id" UUID NOT NULL,
    "offlineId" UUID NOT NULL,
    "assessmentId" UUID NOT NULL,
    "entityId" UUID NOT NULL,
    "responderId" UUID NOT NULL,
    "responseType" "ResponseType" NOT NULL,
    "status" "ResponseStatus" NOT NULL DEFAULT 'PLANNED',
    "data" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "verificationStatus" "VerificationStatus" NOT NULL DEFAULT 'DRAFT',
    "verifiedById" UUID,
    "verifiedAt" TIMESTAMPTZ(3),
    "verificationNote" TEXT,
    "lastModifiedById" UUID NOT NULL,
    "clientTime" TIMESTAMPTZ(3),
    "changeSeq" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Response_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Media" (
    "id" UUID NOT NULL,
    "offlineId" UUID NOT NULL,
    "parentType" "MediaParentType" NOT NULL,
    "parentId" UUID NOT NULL,
    "parentOfflineId" UUID NOT NULL,
    "entityId" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "capturedAt" TIMESTAMPTZ(3),
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "uploadedById" UUID NOT NULL,
    "changeSeq" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Media_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecordVersion" (
    "id" BIGSERIAL NOT NULL,
    "recordType" "RecordType" NOT NULL,
    "recordId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "snapshot" JSONB NOT NULL,
    "changedById" UUID,
    "mutationId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecordVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProcessedMutation" (
    "mutationId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "deviceId" UUID,
    "recordType" "RecordType" NOT NULL,
    "offlineId" UUID NOT NULL,
    "recordId" UUID,
    "status" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "clientTime" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedMutation_pkey" PRIMARY KEY ("mutationId")
);

-- CreateTable
CREATE TABLE "RejectedMutation" (
    "id" BIGSERIAL NOT NULL,
    "mutationId" TEXT,
    "userId" UUID NOT NULL,
    "deviceId" UUID,
    "recordType" TEXT,
    "offlineId" TEXT,
    "payload" JSONB NOT NULL,
    "errorCode" TEXT NOT NULL,
    "errorMessage" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RejectedMutation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Conflict" (
    "id" UUID NOT NULL,
    "recordType" "RecordType" NOT NULL,
    "recordId" UUID NOT NULL,
    "recordOfflineId" UUID NOT NULL,
    "entityId" UUID NOT NULL,
    "kind" "ConflictKind" NOT NULL,
    "status" "ConflictStatus" NOT NULL,
    "method" TEXT,
    "baseVersion" INTEGER NOT NULL,
    "serverVersion" INTEGER NOT NULL,
    "base" JSONB NOT NULL,
    "server" JSONB NOT NULL,
    "client" JSONB NOT NULL,
    "patch" JSONB NOT NULL,
    "conflictingFields" TEXT[],
    "mutationId" UUID NOT NULL,
    "submittedById" UUID NOT NULL,
    "deviceId" UUID,
    "detectedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedById" UUID,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolution" JSONB,
    "changeSeq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "Conflict_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Device" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "lastPushAt" TIMESTAMPTZ(3),
    "lastPullAt" TIMESTAMPTZ(3),
    "pendingCount" INTEGER,
    "appVersion" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeCounter" (
    "id" INTEGER NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ChangeCounter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "LoginFailure_email_createdAt_idx" ON "LoginFailure"("email", "createdAt");

-- CreateIndex
CREATE INDEX "LoginFailure_ip_createdAt_idx" ON "LoginFailure"("ip", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Entity_offlineId_key" ON "Entity"("offlineId");

-- CreateIndex
CREATE INDEX "Entity_changeSeq_idx" ON "Entity"("changeSeq");

-- CreateIndex
CREATE INDEX "Entity_lga_idx" ON "Entity"("lga");

-- CreateIndex
CREATE INDEX "Assignment_userId_active_idx" ON "Assignment"("userId", "active");

-- CreateIndex
CREATE UNIQUE INDEX "Assignment_userId_entityId_key" ON "Assignment"("userId", "entityId");

-- CreateIndex
CREATE UNIQUE INDEX "Assessment_offlineId_key" ON "Assessment"("offlineId");

-- CreateIndex
CREATE INDEX "Assessment_entityId_changeSeq_idx" ON "Assessment"("entityId", "changeSeq");

-- CreateIndex
CREATE INDEX "Assessment_changeSeq_idx" ON "Assessment"("changeSeq");

-- CreateIndex
CREATE INDEX "Assessment_verificationStatus_updatedAt_idx" ON "Assessment"("verificationStatus", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Response_offlineId_key" ON "Response"("offlineId");

-- CreateIndex
CREATE INDEX "Response_entityId_changeSeq_idx" ON "Response"("entityId", "changeSeq");

-- CreateIndex
CREATE INDEX "Response_changeSeq_idx" ON "Response"("changeSeq");

-- CreateIndex
CREATE INDEX "Response_assessmentId_idx" ON "Response"("assessmentId");

-- CreateIndex
CREATE INDEX "Response_verificationStatus_updatedAt_idx" ON "Response"("verificationStatus", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Media_offlineId_key" ON "Media"("offlineId");

-- CreateIndex
CREATE INDEX "Media_entityId_changeSeq_idx" ON "Media"("entityId", "changeSeq");

-- CreateIndex
CREATE INDEX "Media_changeSeq_idx" ON "Media"("changeSeq");

-- CreateIndex
CREATE INDEX "Media_parentId_idx" ON "Media"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "RecordVersion_recordType_recordId_version_key" ON "RecordVersion"("recordType", "recordId", "version");

-- CreateIndex
CREATE INDEX "ProcessedMutation_userId_createdAt_idx" ON "ProcessedMutation"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "RejectedMutation_userId_createdAt_idx" ON "RejectedMutation"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "RejectedMutation_createdAt_idx" ON "RejectedMutation"("createdAt");

-- CreateIndex
CREATE INDEX "Conflict_status_detectedAt_idx" ON "Conflict"("status", "detectedAt");

-- CreateIndex
CREATE INDEX "Conflict_submittedById_changeSeq_idx" ON "Conflict"("submittedById", "changeSeq");

-- CreateIndex
CREATE INDEX "Conflict_recordId_idx" ON "Conflict"("recordId");

-- CreateIndex
CREATE INDEX "Device_userId_idx" ON "Device"("userId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_entityId_fkey" FOREIGN KEY ("entityId") REFERENCES "Entity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assessment" ADD CONSTRAINT "Assessment_entityId_fkey" FOREIGN KEY ("entityId") REFERENCES "Entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_assessmentId_fkey" FOREIGN KEY ("assessmentId") REFERENCES "Assessment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_entityId_fkey" FOREIGN KEY ("entityId") REFERENCES "Entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Field Sync: the single change-counter row (see ChangeCounter in schema.prisma).
INSERT INTO "ChangeCounter" ("id", "value") VALUES (1, 0) ON CONFLICT DO NOTHING;
