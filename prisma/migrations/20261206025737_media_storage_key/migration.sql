-- CreateIndex
CREATE INDEX "Media_storageKey_idx" ON "Media"("storageKey");

-- Field Sync: media of records (or entities) deleted before deletes reached their photos are
-- hidden as the engine now does it (lib/server/media/deleted-media.ts), stamped with fresh change
-- numbers drawn from the counter so devices pull their deletion. Their bytes are removed by the
-- sweep once no record holds them.
WITH orphaned AS (
  SELECT m."id", row_number() OVER (ORDER BY m."changeSeq", m."id") AS n
  FROM "Media" m
  JOIN "Entity" e ON e."id" = m."entityId"
  LEFT JOIN "Assessment" a ON m."parentType" = 'assessment' AND a."id" = m."parentId"
  LEFT JOIN "Response" r ON m."parentType" = 'response' AND r."id" = m."parentId"
  WHERE m."deletedAt" IS NULL
    AND (e."deletedAt" IS NOT NULL OR a."deletedAt" IS NOT NULL OR r."deletedAt" IS NOT NULL OR (a."id" IS NULL AND r."id" IS NULL))
), bumped AS (
  UPDATE "ChangeCounter" SET "value" = "value" + (SELECT count(*) FROM orphaned)
  WHERE "id" = 1 AND EXISTS (SELECT 1 FROM orphaned)
  RETURNING "value" - (SELECT count(*) FROM orphaned) AS base
)
UPDATE "Media" t SET "deletedAt" = now(), "changeSeq" = bumped.base + o.n
FROM orphaned o, bumped
WHERE t."id" = o."id";
