import "server-only";
import type { ActivityResponse, DashboardCounts, RejectionListQuery, RejectionListResponse } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { countConflicts } from "@/lib/server/queries/conflicts";
import { activityPerDay, countPendingVerifications, listRejections, userRefs } from "@/lib/server/queries/dashboard";

/** The navigation's badges. */
export async function getDashboardCounts(): Promise<DashboardCounts> {
  const db = await getDb();
  const [pendingConflicts, [assessments, responses]] = await Promise.all([
    countConflicts(db, { status: ["PENDING"] }),
    countPendingVerifications(db),
  ]);
  return { pendingConflicts, pendingVerifications: assessments + responses };
}

export async function listRejectionLog(q: RejectionListQuery): Promise<RejectionListResponse> {
  const db = await getDb();
  const rows = await listRejections(db, { ...q, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const users = new Map(
    (
      await userRefs(
        db,
        page.map((r) => r.userId),
      )
    ).map((u) => [u.id, u]),
  );
  return {
    rejections: page.map((r) => ({
      id: Number(r.id),
      mutationId: r.mutationId,
      user: users.get(r.userId) ?? { id: r.userId, name: "Unknown user" },
      deviceId: r.deviceId,
      recordType: r.recordType,
      offlineId: r.offlineId,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      createdAt: r.createdAt.toISOString(),
    })),
    nextBefore: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
  };
}

/** The last `days` UTC days, oldest first, every day present (zeros included). */
export async function getActivity(days: number, now = new Date()): Promise<ActivityResponse> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (days - 1) * 86_400_000);
  const { submissions, conflicts } = await activityPerDay(await getDb(), since);
  return {
    days: Array.from({ length: days }, (_, i) => {
      const date = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
      return { date, submissions: submissions.get(date) ?? 0, conflicts: conflicts.get(date) ?? 0 };
    }),
  };
}
