"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api/http";
import { QUEUE_REFETCH_MS } from "@/lib/client/api/query-client";
import { queryKeys } from "@/lib/client/api/query-keys";
import type {
  ActivityResponse,
  AdminUser,
  AssignmentListResponse,
  ConflictDetail,
  ConflictListResponse,
  CreateEntityRequest,
  CreateUserRequest,
  DashboardCounts,
  DevicesResponse,
  EntityListResponse,
  RejectionListResponse,
  ResolveConflictRequest,
  ResolveConflictResponse,
  UpdateEntityRequest,
  UpdateUserRequest,
  VerificationListResponse,
  VerifyRequest,
} from "@/lib/protocol";

type Filters = Record<string, string | undefined>;

function query(params: Filters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

const live = { refetchInterval: QUEUE_REFETCH_MS, refetchOnWindowFocus: true } as const;

export function useDashboardCounts() {
  return useQuery({ queryKey: queryKeys.counts, queryFn: () => apiFetch<DashboardCounts>("/api/dashboard/counts"), ...live });
}

/** The conflict queue, page by page with the API's cursor. */
export function useConflictList(filters: Filters) {
  return useInfiniteQuery({
    queryKey: queryKeys.conflicts.list(filters),
    queryFn: ({ pageParam }) => apiFetch<ConflictListResponse>(`/api/conflicts${query({ ...filters, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    ...live,
  });
}

export function useConflictDetail(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.conflicts.detail(id ?? ""),
    queryFn: () => apiFetch<ConflictDetail>(`/api/conflicts/${id}`),
    enabled: !!id,
  });
}

export function resolveConflictRequest(id: string, body: ResolveConflictRequest) {
  return apiFetch<ResolveConflictResponse>(`/api/conflicts/${id}/resolve`, { method: "POST", json: body });
}

/** Anything that changes conflicts or records refreshes the queues, the badges and the detail. */
function useInvalidateQueues() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: queryKeys.conflicts.all }),
      qc.invalidateQueries({ queryKey: queryKeys.verification.all }),
      qc.invalidateQueries({ queryKey: queryKeys.counts }),
    ]);
}

export function useResolveConflict(id: string) {
  const invalidate = useInvalidateQueues();
  return useMutation({ mutationFn: (body: ResolveConflictRequest) => resolveConflictRequest(id, body), onSettled: invalidate });
}

export { useInvalidateQueues };

export function useVerificationQueue(filters: Filters) {
  return useInfiniteQuery({
    queryKey: queryKeys.verification.list(filters),
    queryFn: ({ pageParam }) => apiFetch<VerificationListResponse>(`/api/verification${query({ ...filters, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    ...live,
  });
}

export function useVerify() {
  const invalidate = useInvalidateQueues();
  return useMutation({
    mutationFn: (v: { type: "assessment" | "response"; id: string } & VerifyRequest) =>
      apiFetch(`/api/${v.type === "assessment" ? "assessments" : "responses"}/${v.id}/verify`, {
        method: "POST",
        json: { decision: v.decision, ...(v.note ? { note: v.note } : {}) },
      }),
    onSettled: invalidate,
  });
}

export function useDevices() {
  return useQuery({ queryKey: queryKeys.devices, queryFn: () => apiFetch<DevicesResponse>("/api/sync/devices"), ...live });
}

export function useRejections(filters: Filters) {
  return useQuery({
    queryKey: queryKeys.rejections(filters),
    queryFn: () => apiFetch<RejectionListResponse>(`/api/sync/rejections${query({ limit: "50", ...filters })}`),
    ...live,
  });
}

export function useActivity(days: number) {
  return useQuery({
    queryKey: queryKeys.activity(days),
    queryFn: () => apiFetch<ActivityResponse>(`/api/dashboard/activity?days=${days}`),
  });
}

// ---- admin ------------------------------------------------------------------------------------

export function useEntities() {
  return useQuery({ queryKey: queryKeys.admin.entities, queryFn: () => apiFetch<EntityListResponse>("/api/entities") });
}

export function useAdminUsers(enabled = true) {
  return useQuery({ queryKey: queryKeys.admin.users, queryFn: () => apiFetch<{ users: AdminUser[] }>("/api/admin/users"), enabled });
}

export function useAssignments() {
  return useQuery({ queryKey: queryKeys.admin.assignments, queryFn: () => apiFetch<AssignmentListResponse>("/api/admin/assignments") });
}

function useAdminMutation<T>(fn: (v: T) => Promise<unknown>, keys: readonly (readonly string[])[]) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => Promise.all(keys.map((queryKey) => qc.invalidateQueries({ queryKey }))),
  });
}

export function useCreateUser() {
  return useAdminMutation((v: CreateUserRequest) => apiFetch("/api/admin/users", { method: "POST", json: v }), [queryKeys.admin.users]);
}

export function useUpdateUser() {
  return useAdminMutation(
    (v: { id: string } & UpdateUserRequest) => {
      const { id, ...body } = v;
      return apiFetch(`/api/admin/users/${id}`, { method: "PATCH", json: body });
    },
    [queryKeys.admin.users],
  );
}

export function useCreateEntity() {
  return useAdminMutation(
    (v: CreateEntityRequest) => apiFetch("/api/admin/entities", { method: "POST", json: v }),
    [queryKeys.admin.entities],
  );
}

export function useUpdateEntity() {
  return useAdminMutation(
    (v: { id: string } & UpdateEntityRequest) => {
      const { id, ...body } = v;
      return apiFetch(`/api/admin/entities/${id}`, { method: "PATCH", json: body });
    },
    [queryKeys.admin.entities],
  );
}

export function useAssignment() {
  return useAdminMutation(
    (v: { userId: string; entityId: string; assign: boolean }) =>
      apiFetch("/api/admin/assignments", { method: v.assign ? "POST" : "DELETE", json: { userId: v.userId, entityId: v.entityId } }),
    [queryKeys.admin.assignments],
  );
}
