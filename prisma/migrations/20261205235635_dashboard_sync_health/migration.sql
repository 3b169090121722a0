-- AlterTable
ALTER TABLE "Assessment" ADD COLUMN     "mediaExpected" INTEGER;

-- AlterTable
ALTER TABLE "Device" ADD COLUMN     "clockSkewMs" INTEGER,
ADD COLUMN     "oldestUnsentAt" TIMESTAMPTZ(3),
ADD COLUMN     "storageQuotaBytes" BIGINT,
ADD COLUMN     "storageUsedBytes" BIGINT;

-- AlterTable
ALTER TABLE "Response" ADD COLUMN     "mediaExpected" INTEGER;
